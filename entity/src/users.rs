//! `users`: A person or machine that signs in. Linked to a unit (role UNIT) or a leader (role LEADER).

use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::enums::{Role, UnitPost};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub username: String,
    /// The username's comparison key (NFKC, case-folded, confusables skeleton): unique, so that
    /// look-alike names cannot coexist. NULL only for an old row whose key collided.
    #[sea_orm(unique)]
    pub username_key: Option<String>,
    /// Carried by every access token; moved on when every session is signed out, so that the
    /// tokens issued before stop working at once.
    pub session_epoch: i32,
    pub display_name: String,
    pub role: Role,
    pub unit_id: Option<i64>,
    pub leader_id: Option<i64>,
    /// A unit account's post: its clerk (经办人) or its head (单位负责人).
    pub unit_post: Option<UnitPost>,
    /// Never serialised: audit rows and logs must not carry it.
    #[serde(skip_serializing)]
    pub password_hash: String,
    pub is_active: bool,
    pub failed_login_count: i32,
    pub locked_until: Option<DateTimeUtc>,
    pub scopes: Json,
    pub last_login_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
