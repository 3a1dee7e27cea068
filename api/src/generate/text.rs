//! The texts of a generated province: category headings, task items, report contents, review
//! comments and extension reasons, composed from phrase lists the way supervision notices and
//! unit reports are written. Realistic enough that searching (`search: "就业"`), sorting and the
//! size of responses behave as with real data; nothing here is meant to be read as fact.

use rand::Rng;
use rand::rngs::StdRng;

use super::registry::pick;

/// A topic: its heading in a work-report notice, in a livelihood notice, and what its tasks are
/// about.
pub struct Topic {
    pub work: &'static str,
    pub livelihood: &'static str,
    pub objects: &'static [&'static str],
}

pub const TOPICS: [Topic; 10] = [
    Topic {
        work: "着力扩大有效需求",
        livelihood: "促进消费惠民",
        objects: &[
            "重点项目建设",
            "消费品以旧换新",
            "夜间经济集聚区",
            "城市商业综合体",
            "专项债券项目",
            "县域商业体系",
            "文旅消费新场景",
        ],
    },
    Topic {
        work: "加快建设现代化产业体系",
        livelihood: "稳岗就业服务",
        objects: &[
            "先进制造业集群",
            "新能源汽车产业链",
            "智能制造示范工厂",
            "专精特新企业培育",
            "数字经济核心产业",
            "现代物流枢纽",
            "工业技术改造项目",
        ],
    },
    Topic {
        work: "深入实施创新驱动发展战略",
        livelihood: "教育优质均衡",
        objects: &[
            "高新技术企业培育",
            "省级以上研发平台",
            "科技成果转化",
            "创新型中小企业",
            "中试基地建设",
            "青年人才引育工程",
        ],
    },
    Topic {
        work: "持续深化改革开放",
        livelihood: "政务服务便民",
        objects: &[
            "营商环境评价",
            "国有企业改革深化提升行动",
            "综合保税区建设",
            "跨境电商新业态",
            "高效办成一件事",
            "招商引资签约项目",
        ],
    },
    Topic {
        work: "扎实推进乡村全面振兴",
        livelihood: "农村饮水和道路",
        objects: &[
            "高标准农田建设",
            "粮食生产",
            "农村人居环境整治",
            "特色农产品加工",
            "和美乡村示范村",
            "农村公路提质改造",
        ],
    },
    Topic {
        work: "积极推进以人为本的新型城镇化",
        livelihood: "城市更新宜居",
        objects: &[
            "城市更新",
            "老旧小区改造",
            "城中村改造",
            "地下管网改造",
            "口袋公园建设",
            "海绵城市建设",
        ],
    },
    Topic {
        work: "持续加强生态环境保护",
        livelihood: "生态环境改善",
        objects: &[
            "大气污染防治",
            "黄河流域生态保护",
            "河湖长制",
            "固体废物治理",
            "国土绿化",
            "城镇污水处理",
        ],
    },
    Topic {
        work: "切实保障和改善民生",
        livelihood: "医疗卫生服务",
        objects: &[
            "城镇新增就业",
            "义务教育学位供给",
            "紧密型县域医共体建设",
            "社区养老服务设施",
            "普惠托育机构",
            "保障性住房",
        ],
    },
    Topic {
        work: "统筹高质量发展和高水平安全",
        livelihood: "食品药品安全",
        objects: &[
            "安全生产治本攻坚",
            "防汛抗旱能力建设",
            "食品药品安全监管",
            "地方债务风险化解",
            "平安建设",
            "应急物资储备",
        ],
    },
    Topic {
        work: "全面加强政府自身建设",
        livelihood: "养老托育服务",
        objects: &[
            "政务服务“一网通办”",
            "政府督查督办",
            "审计查出问题整改",
            "法治政府建设",
            "数字政府建设",
            "“十五五”规划编制",
        ],
    },
];

const ACTIONS: [&str; 12] = [
    "加快推进",
    "深入实施",
    "全面落实",
    "持续推动",
    "着力提升",
    "稳步推进",
    "扎实开展",
    "大力发展",
    "加快建设",
    "统筹推进",
    "全力抓好",
    "进一步完善",
];

/// The ordinal of a top-level heading (一 … 二十), else its number.
pub fn chinese_ordinal(n: usize) -> String {
    const DIGITS: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        1..=9 => DIGITS[n].to_owned(),
        10 => "十".to_owned(),
        11..=19 => format!("十{}", DIGITS[n - 10]),
        20 => "二十".to_owned(),
        _ => n.to_string(),
    }
}

/// A task's text: an action on the topic's object in the city, and a measurable target.
pub fn task_text(rng: &mut StdRng, topic: &Topic, city: &str, year: i32) -> String {
    let object = pick(rng, topic.objects);
    let action = pick(rng, &ACTIONS);
    let n = rng.random_range(3..300);
    let p = rng.random_range(5..98);
    let target = match rng.random_range(0..9) {
        0 => format!("年内完成投资{}亿元", rng.random_range(1..80)),
        1 => format!("新增{n}个"),
        2 => format!("全年完成{n}项"),
        3 => format!("覆盖率达到{p}%以上"),
        4 => format!("同比增长{}%左右", rng.random_range(3..15)),
        5 => format!("惠及群众{}万人次", rng.random_range(1..120)),
        6 => format!("建成投用{n}处"),
        7 => format!("累计完成{n}公里"),
        _ => format!("培育{n}家以上"),
    };
    let mut text = format!("{action}{city}市{object}，{target}");
    if rng.random_bool(0.4) {
        let second = pick(rng, topic.objects);
        let how = pick(
            rng,
            &[
                "形成可复制可推广经验",
                "确保工作取得实效",
                "建立长效管理机制",
                "纳入年度目标考核",
                "实现季度有进展、年底见成效",
            ],
        );
        text.push_str(&format!("；同步推进{second}工作，{how}"));
    }
    if rng.random_bool(0.25) {
        text.push_str(&format!("，{year}年底前全面完成"));
    }
    text.push('。');
    text
}

/// What a unit reports: where the work stands at the end of the month.
pub fn progress(rng: &mut StdRng, month: u32, percent: i32) -> String {
    let done = pick(
        rng,
        &["已完成", "累计完成", "已落实", "已开工建设", "已推进"],
    );
    let n = rng.random_range(2..200);
    let what = pick(
        rng,
        &[
            "项目",
            "个点位",
            "家企业",
            "公里",
            "万元投资",
            "场专题调度会",
            "个乡镇（街道）",
        ],
    );
    let mut text = format!("截至{month}月底，{done}{n}{what}，完成年度目标任务的{percent}%。");
    if rng.random_bool(0.5) {
        text.push_str(pick(
            rng,
            &[
                "已召开专题推进会，明确责任分工和时间节点。",
                "主要领导多次现场调度，协调解决用地、资金等问题。",
                "建立周调度、月通报工作机制，压实各方责任。",
                "已完成前期手续办理，进入全面实施阶段。",
            ],
        ));
    }
    text
}

/// Problems met, when the unit names any.
pub fn problems(rng: &mut StdRng) -> Option<String> {
    rng.random_bool(0.45).then(|| {
        pick(
            rng,
            &[
                "项目资金拨付进度偏慢，部分配套资金尚未到位。",
                "受雨雪天气影响，施工进度较计划有所滞后。",
                "部分地块征迁难度较大，群众诉求较多。",
                "专业技术人员不足，工作推进存在一定困难。",
                "审批手续涉及部门较多，办理周期较长。",
            ],
        )
        .to_string()
    })
}

/// The next steps, when the unit states them.
pub fn next_steps(rng: &mut StdRng) -> Option<String> {
    rng.random_bool(0.7).then(|| {
        pick(
            rng,
            &[
                "下一步将加强统筹调度，确保按期完成年度目标。",
                "下一步将倒排工期、挂图作战，加快项目建设进度。",
                "下一步将积极争取上级资金支持，保障项目顺利实施。",
                "下一步将强化督导检查，及时协调解决存在问题。",
            ],
        )
        .to_string()
    })
}

/// Why the bureau returned a report.
pub fn return_comment(rng: &mut StdRng) -> String {
    pick(
        rng,
        &[
            "进展情况表述笼统，请补充量化数据后重新报送。",
            "未说明存在问题及下一步措施，请补充完善。",
            "完成比例与实际进度不符，请核实后重新报送。",
            "请附相关佐证材料后重新报送。",
        ],
    )
    .to_string()
}

/// Why a unit asked for a later due date.
pub fn extension_reason(rng: &mut StdRng) -> String {
    pick(
        rng,
        &[
            "受汛期影响施工暂停，申请延期报送。",
            "相关数据需统计部门最终核定，申请延期报送。",
            "主要负责同志参加上级集中培训，申请延期报送。",
            "项目涉及多部门会商，结论尚未形成，申请延期报送。",
        ],
    )
    .to_string()
}

/// Why the bureau refused an extension.
pub fn rejection_comment(rng: &mut StdRng) -> String {
    pick(
        rng,
        &[
            "理由不充分，请按原定时限报送。",
            "该事项为市政府重点督办事项，不予延期。",
        ],
    )
    .to_string()
}
