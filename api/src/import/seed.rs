//! The default registry: the units and leaders that the bundled notices of 开封市 name, with the
//! spellings they use as aliases, so that importing those notices resolves every name. Loaded by
//! `api seed-registry` and by the demo. Seeding is idempotent: what exists is left alone.
//!
//! The notices do not say who holds which post (常务副市长), so no post is seeded; the bureau sets
//! posts with `updateLeader`.

use chrono::{DateTime, Utc};
use entity::enums::{AliasSource, UnitKind};
use entity::{leaders, unit_aliases, units};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, TransactionTrait,
};
use serde::Serialize;

use crate::audit::service::Private;
use crate::audit::service::{self as audit, Change};
use crate::auth::Principal;
use crate::error::AppResult;
use crate::events::EntityType;

use UnitKind::{
    CityDepartment as Dept, CountyDistrict as County, DevelopmentZone as Zone, Other,
    PartyOrgan as Party, StateCompany as Company,
};

/// (registry name, kind, parent, aliases)
type SeedUnit = (
    &'static str,
    UnitKind,
    Option<&'static str>,
    &'static [&'static str],
);

pub const UNITS: &[SeedUnit] = &[
    (
        "市发展和改革委员会",
        Dept,
        None,
        &["市发展改革委", "市发改委"],
    ),
    ("市工业和信息化局", Dept, None, &["市工信局"]),
    ("市财政局", Dept, None, &[]),
    ("市商务局", Dept, None, &[]),
    (
        "市人力资源和社会保障局",
        Dept,
        None,
        &["市人力资源社会保障局", "市人社局"],
    ),
    ("市农业农村局", Dept, None, &[]),
    ("市乡村振兴局", Dept, None, &[]),
    (
        "市住房和城乡建设局",
        Dept,
        None,
        &["市住房城乡建设局", "市住建局"],
    ),
    ("市自然资源和规划局", Dept, None, &["市资源规划局"]),
    ("市交通运输局", Dept, None, &[]),
    ("市教育体育局", Dept, None, &["市教体局"]),
    (
        "市文化广电和旅游局",
        Dept,
        None,
        &["市文化广电旅游局", "市文广旅局"],
    ),
    (
        "市卫生健康委员会",
        Dept,
        None,
        &["市卫生健康委", "市卫健委"],
    ),
    ("市医疗保障局", Dept, None, &["市医保局"]),
    ("市民政局", Dept, None, &[]),
    ("市公安局", Dept, None, &[]),
    ("市司法局", Dept, None, &[]),
    ("市生态环境局", Dept, None, &[]),
    ("市水利局", Dept, None, &[]),
    ("市林业局", Dept, None, &[]),
    ("市城市管理局", Dept, None, &["市城管局"]),
    ("市应急管理局", Dept, None, &["市应急局"]),
    ("市市场监督管理局", Dept, None, &["市市场监管局"]),
    (
        "市政务服务和大数据管理局",
        Dept,
        None,
        &["市政务服务大数据局"],
    ),
    ("市科学技术局", Dept, None, &["市科技局"]),
    ("市地方金融监督管理局", Dept, None, &["市金融局"]),
    ("市信访局", Dept, None, &[]),
    ("市重点项目建设办公室", Dept, None, &["市重点办"]),
    ("市营商环境服务中心", Dept, None, &["市营商环境中心"]),
    ("市不动产登记中心", Dept, Some("市自然资源和规划局"), &[]),
    ("市通信管理办公室", Other, None, &[]),
    ("市委组织部", Party, None, &[]),
    ("市委宣传部", Party, None, &[]),
    (
        "市文明办",
        Party,
        Some("市委宣传部"),
        &["市精神文明建设委员会办公室"],
    ),
    ("市委政法委", Party, None, &[]),
    (
        "市委网络安全和信息化委员会办公室",
        Party,
        None,
        &["市委网信办"],
    ),
    ("市妇女联合会", Other, None, &["市妇联"]),
    ("市残疾人联合会", Other, None, &["市残联"]),
    ("市工商业联合会", Other, None, &["市工商联"]),
    ("市科学技术协会", Other, None, &["市科协"]),
    ("市农林科学院", Other, None, &["市农科院"]),
    ("市科学院", Other, None, &[]),
    ("市气象局", Other, None, &[]),
    ("市河务局", Other, None, &[]),
    ("市税务局", Other, None, &[]),
    ("市消防救援支队", Other, None, &[]),
    ("开封海关", Other, None, &[]),
    ("开封市会展中心", Other, None, &[]),
    ("中国人民银行开封市分行", Other, None, &[]),
    ("国家金融监督管理总局开封监管分局", Other, None, &[]),
    ("国网开封供电公司", Company, None, &["市供电公司"]),
    ("市发展投资集团有限公司", Company, None, &["市发投公司"]),
    ("市文化旅游投资集团有限公司", Company, None, &["市文投公司"]),
    ("市教育体育投资有限公司", Company, None, &["市教体投公司"]),
    ("兰考县", County, None, &["兰考县人民政府"]),
    ("杞县", County, None, &["杞县人民政府"]),
    ("通许县", County, None, &["通许县人民政府"]),
    ("尉氏县", County, None, &["尉氏县人民政府"]),
    ("祥符区", County, None, &["祥符区人民政府"]),
    ("鼓楼区", County, None, &["鼓楼区人民政府"]),
    ("龙亭区", County, None, &["龙亭区人民政府"]),
    ("顺河回族区", County, None, &["顺河回族区人民政府"]),
    ("禹王台区", County, None, &["禹王台区人民政府"]),
    (
        "城乡一体化示范区",
        Zone,
        None,
        &["开封城乡一体化示范区", "示范区"],
    ),
    ("产城融合示范区", Zone, None, &[]),
    (
        "自贸试验区开封片区",
        Zone,
        None,
        &["中国（河南）自由贸易试验区开封片区"],
    ),
    (
        "开封综合保税区",
        Zone,
        Some("自贸试验区开封片区"),
        &["综保区"],
    ),
    ("宋都古城文化产业园区", Zone, None, &["宋都古城文化园区"]),
];

/// The leaders the bundled notices name.
pub const LEADERS: &[&str] = &[
    "薛志勇",
    "刘震",
    "袁钢",
    "肖文兴",
    "郑红英",
    "陈志刚",
    "岳青",
    "郭歌舞",
    "张统",
    "黄宗刚",
    "憨振强",
    "丁向东",
    "赛睿",
    "潘磊",
    "邢卫胜",
    "邵华",
    "陈嘉慧",
    "杨克俊",
    "卢志军",
    "王秋杰",
    "付磊",
    "黄玉国",
    "马中虎",
    "钱忠宝",
    "王玲",
    "尹君",
    "王国庆",
];

/// What seeding added.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SeedOutcome {
    pub units: u32,
    pub aliases: u32,
    pub leaders: u32,
}

/// Adds the default units, aliases and leaders that are missing. Bureau only.
pub async fn seed_registry(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
) -> AppResult<SeedOutcome> {
    actor.require_bureau()?;
    let txn = db.begin().await?;
    let mut outcome = SeedOutcome::default();
    for (name, kind, parent, aliases) in UNITS {
        let parent_id = match parent {
            Some(parent) => find_unit(&txn, parent).await?.map(|u| u.id),
            None => None,
        };
        let unit = match find_unit(&txn, name).await? {
            Some(unit) => unit,
            None => {
                outcome.units += 1;
                units::ActiveModel {
                    name: Set((*name).to_owned()),
                    kind: Set(*kind),
                    parent_id: Set(parent_id),
                    merged_into_id: Set(None),
                    is_active: Set(true),
                    sort_order: Set(0),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await?
            }
        };
        for alias in *aliases {
            // An alias already used anywhere (as a name or an alias) is left as it is.
            if find_unit(&txn, alias).await?.is_none() {
                outcome.aliases += 1;
                unit_aliases::ActiveModel {
                    unit_id: Set(unit.id),
                    alias: Set((*alias).to_owned()),
                    source: Set(AliasSource::Manual),
                    created_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
            }
        }
    }
    for name in LEADERS {
        let exists = leaders::Entity::find()
            .filter(leaders::Column::Name.eq(*name))
            .one(&txn)
            .await?
            .is_some();
        if !exists {
            outcome.leaders += 1;
            leaders::ActiveModel {
                name: Set((*name).to_owned()),
                post: Set(None),
                is_active: Set(true),
                sort_order: Set(0),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
    }
    audit::record(
        &txn,
        actor,
        now,
        Change::after(Private::RegistrySeed, EntityType::Unit, None, &outcome),
    )
    .await?;
    txn.commit().await?;
    Ok(outcome)
}

/// A unit by its name or one of its aliases.
async fn find_unit(db: &impl ConnectionTrait, name: &str) -> AppResult<Option<units::Model>> {
    if let Some(unit) = units::Entity::find()
        .filter(units::Column::Name.eq(name))
        .one(db)
        .await?
    {
        return Ok(Some(unit));
    }
    let Some(alias) = unit_aliases::Entity::find()
        .filter(unit_aliases::Column::Alias.eq(name))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(units::Entity::find_by_id(alias.unit_id).one(db).await?)
}
