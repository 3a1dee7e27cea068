//! The words a generated province is made of: its cities, the organisations every city has, the
//! posts of its leaders and the syllables of people's and places' names. Kept apart from the
//! code that combines them so that the lists read as what they are, and so that a reviewer can
//! check them for realism at a glance.

use entity::enums::UnitKind;

/// A city of the province: its name without 市 and the one-character abbreviation its documents
/// are numbered with (汴政办〔2026〕3号 for 开封).
pub struct City {
    pub name: &'static str,
    pub abbr: &'static str,
}

/// The cities, in the order units and leaders are dealt to them.
pub const CITIES: [City; 18] = [
    City {
        name: "郑州",
        abbr: "郑",
    },
    City {
        name: "开封",
        abbr: "汴",
    },
    City {
        name: "洛阳",
        abbr: "洛",
    },
    City {
        name: "平顶山",
        abbr: "平",
    },
    City {
        name: "安阳",
        abbr: "安",
    },
    City {
        name: "鹤壁",
        abbr: "鹤",
    },
    City {
        name: "新乡",
        abbr: "新",
    },
    City {
        name: "焦作",
        abbr: "焦",
    },
    City {
        name: "濮阳",
        abbr: "濮",
    },
    City {
        name: "许昌",
        abbr: "许",
    },
    City {
        name: "漯河",
        abbr: "漯",
    },
    City {
        name: "三门峡",
        abbr: "三",
    },
    City {
        name: "南阳",
        abbr: "宛",
    },
    City {
        name: "商丘",
        abbr: "商",
    },
    City {
        name: "信阳",
        abbr: "信",
    },
    City {
        name: "周口",
        abbr: "周",
    },
    City {
        name: "驻马店",
        abbr: "驻",
    },
    City {
        name: "济源",
        abbr: "济",
    },
];

/// City departments, written after `X市`. The first is the one that leads most tasks.
pub const DEPARTMENTS: [&str; 44] = [
    "发展和改革委员会",
    "财政局",
    "教育局",
    "工业和信息化局",
    "商务局",
    "住房和城乡建设局",
    "交通运输局",
    "农业农村局",
    "自然资源和规划局",
    "生态环境局",
    "人力资源和社会保障局",
    "卫生健康委员会",
    "民政局",
    "公安局",
    "科学技术局",
    "文化广电和旅游局",
    "水利局",
    "城市管理局",
    "应急管理局",
    "市场监督管理局",
    "审计局",
    "统计局",
    "医疗保障局",
    "人民政府国有资产监督管理委员会",
    "退役军人事务局",
    "司法局",
    "体育局",
    "林业局",
    "信访局",
    "机关事务管理局",
    "大数据管理局",
    "人民防空办公室",
    "地方金融管理局",
    "粮食和物资储备局",
    "人民政府外事办公室",
    "投资促进局",
    "行政审批和政务信息管理局",
    "民族宗教事务委员会",
    "乡村振兴局",
    "人民政府办公室",
    "人民政府研究室",
    "住房保障和房地产管理局",
    "园林绿化局",
    "人民政府督查室",
];

/// Party organs, written after `X市委`.
pub const PARTY_ORGANS: [&str; 10] = [
    "办公室",
    "组织部",
    "宣传部",
    "统战部",
    "政法委员会",
    "网信办",
    "编办",
    "政策研究室",
    "社会工作部",
    "金融办",
];

/// Municipal state companies, written after `X市`.
pub const STATE_COMPANIES: [&str; 12] = [
    "城市发展投资集团有限公司",
    "交通投资集团有限公司",
    "水务集团有限公司",
    "公共交通集团有限公司",
    "文化旅游投资集团有限公司",
    "国有资本投资运营集团有限公司",
    "建设投资集团有限公司",
    "产业投资集团有限公司",
    "热力集团有限公司",
    "燃气集团有限公司",
    "城乡建设投资集团有限公司",
    "农业发展投资集团有限公司",
];

/// Development zones, written after `X` (the city without 市).
pub const ZONES: [&str; 5] = [
    "经济技术开发区管理委员会",
    "高新技术产业开发区管理委员会",
    "综合保税区管理委员会",
    "城乡一体化示范区管理委员会",
    "现代物流园区管理委员会",
];

/// Other organisations, as a pattern where `{}` is the city without 市.
pub const OTHERS: [&str; 16] = [
    "{}市住房公积金管理中心",
    "国家税务总局{}市税务局",
    "{}市气象局",
    "{}市总工会",
    "{}市妇女联合会",
    "{}市残疾人联合会",
    "{}市科学技术协会",
    "{}市消防救援支队",
    "{}市公共资源交易中心",
    "{}市供销合作社",
    "{}市红十字会",
    "{}市邮政管理局",
    "{}市中级人民法院",
    "{}市人民检察院",
    "{}市疾病预防控制中心",
    "国网{}供电公司",
];

/// The kind of each entry of `OTHERS` (the power company is a state company).
pub fn other_kind(index: usize) -> UnitKind {
    if index == OTHERS.len() - 1 {
        UnitKind::StateCompany
    } else {
        UnitKind::Other
    }
}

/// Counties and districts per city.
pub const COUNTIES_PER_CITY: usize = 10;

/// Syllables of place names (two make a county: 东阳, 清平).
pub const PLACE_FIRST: [&str; 24] = [
    "东", "西", "南", "北", "清", "安", "平", "新", "永", "长", "宁", "兴", "丰", "临", "高", "福",
    "庆", "泰", "明", "嵩", "汝", "淇", "卫", "伊",
];
pub const PLACE_SECOND: [&str; 20] = [
    "阳", "山", "川", "平", "安", "源", "城", "丰", "宁", "江", "水", "林", "乡", "武", "德", "陵",
    "封", "县", "州", "岗",
];

/// Surnames, commonest first, and the characters of given names.
pub const SURNAMES: [&str; 60] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金",
];
pub const GIVEN: [&str; 48] = [
    "伟", "建", "国", "华", "明", "志", "军", "文", "新", "立", "东", "海", "峰", "强", "平", "永",
    "振", "红", "春", "光", "庆", "宏", "德", "树", "学", "林", "玉", "成", "俊", "松", "涛", "刚",
    "勇", "杰", "鹏", "辉", "斌", "亮", "卫", "兵", "晓", "燕", "静", "丽", "敏", "洪", "雪", "波",
];

/// The posts of a city's leaders, by their place among the city's leaders; beyond the list,
/// deputy secretaries-general. `{}` is the city without 市.
pub const POSTS: [&str; 16] = [
    "{}市市长",
    "{}市常务副市长",
    "{}市副市长",
    "{}市副市长",
    "{}市副市长",
    "{}市副市长",
    "{}市副市长",
    "{}市副市长",
    "{}市政府秘书长",
    "{}市政府副秘书长",
    "{}市政府副秘书长",
    "{}市政府副秘书长",
    "{}市政府副秘书长",
    "{}市政府副秘书长",
    "{}市市长助理",
    "{}市市长助理",
];

/// What a post is called in a task's leader column (the city is understood).
pub fn post_as_written(post_index: usize) -> &'static str {
    match post_index {
        0 => "市长",
        1 => "常务副市长",
        2..=7 => "副市长",
        8 => "市政府秘书长",
        14 | 15 => "市长助理",
        _ => "市政府副秘书长",
    }
}

/// Posts one person holds in a city, which a task may name instead of the person.
pub fn post_is_unique(post_index: usize) -> bool {
    matches!(post_index, 0 | 1 | 8)
}

/// Whether a leader with this post supervises units (分管): everyone but the mayor and the
/// mayor's assistants.
pub fn post_supervises(post_index: usize) -> bool {
    !matches!(post_index, 0 | 14 | 15)
}

/// Fills `{}` in a pattern.
pub fn fill(pattern: &str, city: &str) -> String {
    pattern.replace("{}", city)
}
