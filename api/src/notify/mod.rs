//! Notifications out to other channels: SMS, WeCom and DingTalk, through gateways.
//!
//! - `service`: each unit's and leader's contacts on the channels (their preferences: a channel
//!   without an address is in-app only), set by the bureau or by the unit or leader themselves;
//!   the delivery log for the bureau. The outbox rows are written by `events::outbox` in the
//!   transaction of a reminder, a returned report or a published notice.
//! - `gateway`: the `Notifier` trait, one per channel; the first is a generic signed HTTP call
//!   to a configured gateway (`NOTIFY_GATEWAY_URL`), which serves every channel. No gateway: in
//!   app only (the rows are marked `SKIPPED`).
//! - `worker`: sends what is due, each row claimed by one instance, retried with the webhooks'
//!   backoff, given up (`FAILED`) after 8 attempts.
//! - `schema`: `contacts`, `setContacts`, `notifications`.

pub mod gateway;
pub mod schema;
pub mod service;
pub mod worker;

/// A channel a notification can go out on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
#[graphql(name = "NotifyChannel")]
pub enum Channel {
    Sms,
    Wecom,
    Dingtalk,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sms => "SMS",
            Self::Wecom => "WECOM",
            Self::Dingtalk => "DINGTALK",
        }
    }

    pub fn parse(stored: &str) -> Option<Self> {
        [Self::Sms, Self::Wecom, Self::Dingtalk]
            .into_iter()
            .find(|c| c.as_str() == stored)
    }
}
