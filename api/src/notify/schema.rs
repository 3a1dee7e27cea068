//! GraphQL face of notifications to other channels: `contacts`, `setContacts` and the bureau's
//! `notifications` log.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{contacts, notifications};

use super::Channel;
use super::service::{self, Owner};
use crate::error::AppError;
use crate::graphql::context::ContextExt;
use crate::graphql::relay::{Kind, expect_optional_id};

/// An address on a channel.
#[derive(SimpleObject, Debug, Clone)]
pub struct Contact {
    pub channel: Channel,
    /// A mobile number for SMS, a user id for WeCom or DingTalk.
    pub address: String,
}

impl From<contacts::Model> for Contact {
    fn from(c: contacts::Model) -> Self {
        Self {
            channel: Channel::parse(&c.channel).unwrap_or(Channel::Sms),
            address: c.address,
        }
    }
}

/// Where a notification stands.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationState {
    Pending,
    Sent,
    /// Given up after repeated failures.
    Failed,
    /// No gateway for its channel: in the app only.
    Skipped,
}

/// One notification sent (or to be sent) on a channel.
#[derive(SimpleObject, Debug, Clone)]
pub struct Notification {
    pub channel: Channel,
    pub address: String,
    pub state: NotificationState,
    /// The event's `sequence`.
    pub sequence: i64,
    pub attempts: i32,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
}

impl From<notifications::Model> for Notification {
    fn from(n: notifications::Model) -> Self {
        Self {
            channel: Channel::parse(&n.channel).unwrap_or(Channel::Sms),
            address: n.address,
            state: match n.state.as_str() {
                "SENT" => NotificationState::Sent,
                "FAILED" => NotificationState::Failed,
                "SKIPPED" => NotificationState::Skipped,
                _ => NotificationState::Pending,
            },
            sequence: n.event_id,
            attempts: n.attempts,
            last_status: n.last_status,
            last_error: n.last_error,
            delivered_at: n.delivered_at,
        }
    }
}

#[derive(InputObject, Debug)]
pub struct ContactInput {
    pub channel: Channel,
    pub address: String,
}

#[derive(InputObject, Debug)]
pub struct SetContactsInput {
    /// The unit's, or
    pub unit_id: Option<ID>,
    /// the leader's.
    pub leader_id: Option<ID>,
    /// The whole list: what is not in it is removed. Empty: in app only.
    pub contacts: Vec<ContactInput>,
}

#[derive(SimpleObject, Debug)]
pub struct SetContactsPayload {
    pub contacts: Vec<Contact>,
}

fn owner(unit_id: Option<&ID>, leader_id: Option<&ID>) -> Result<Owner, AppError> {
    let unit = expect_optional_id("unitId", unit_id, Kind::Unit)?;
    let leader = expect_optional_id("leaderId", leader_id, Kind::Leader)?;
    match (unit, leader) {
        (Some(unit), None) => Ok(Owner::Unit(unit)),
        (None, Some(leader)) => Ok(Owner::Leader(leader)),
        _ => Err(AppError::bad_field(
            "unitId",
            "name a unit or a leader, one of them",
        )),
    }
}

#[derive(Default)]
pub struct NotifyQuery;

#[Object]
impl NotifyQuery {
    /// A unit's or a leader's addresses on other channels: for the bureau, and for the unit or
    /// leader themselves.
    async fn contacts(
        &self,
        ctx: &Context<'_>,
        unit_id: Option<ID>,
        leader_id: Option<ID>,
    ) -> Result<Vec<Contact>> {
        let owner = owner(unit_id.as_ref(), leader_id.as_ref())?;
        Ok(service::contacts_of(ctx.actor()?, ctx.db(), owner)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// The latest notifications sent to other channels, newest first (BUREAU; at most 200).
    async fn notifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50)] first: i32,
    ) -> Result<Vec<Notification>> {
        let limit = u64::try_from(first).unwrap_or(1);
        Ok(service::log(ctx.actor()?, ctx.db(), limit)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }
}

#[derive(Default)]
pub struct NotifyMutation;

#[Object]
impl NotifyMutation {
    /// Sets a unit's or a leader's addresses on other channels (the bureau, or the unit or
    /// leader themselves): reminders, returned reports and notices naming the unit (for a
    /// leader, a unit they supervise) go to each, besides the app.
    async fn set_contacts(
        &self,
        ctx: &Context<'_>,
        input: SetContactsInput,
    ) -> Result<SetContactsPayload> {
        let owner = owner(input.unit_id.as_ref(), input.leader_id.as_ref())?;
        let given: Vec<(Channel, String)> = input
            .contacts
            .into_iter()
            .map(|c| (c.channel, c.address))
            .collect();
        let stored = service::set(ctx.actor()?, ctx.db(), ctx.now(), owner, &given).await?;
        Ok(SetContactsPayload {
            contacts: stored.into_iter().map(Into::into).collect(),
        })
    }
}
