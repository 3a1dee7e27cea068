//! How a notification leaves: a `Notifier` per channel behind one trait. The first is a generic
//! HTTP gateway (the city's SMS platform or a WeCom/DingTalk bridge): a POST of
//! `{"notificationId", "channel", "to", "text", "event": {sequence, kind}}` signed like a
//! webhook (`X-Duban-Signature` with `NOTIFY_GATEWAY_SECRET`), a 2xx answer meaning sent.

use async_graphql::async_trait::async_trait;

use super::Channel;
use crate::webhooks::signature;

/// What is sent.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    pub notification_id: String,
    pub channel: &'static str,
    pub to: String,
    pub text: String,
    pub event: serde_json::Value,
}

/// Why a send failed: the gateway's status, or no answer.
#[derive(Debug)]
pub struct Failure {
    pub status: Option<i32>,
    pub error: String,
}

/// Sends a notification on the channels it serves.
#[async_trait]
pub trait Notifier: Send + Sync {
    fn serves(&self, channel: Channel) -> bool;
    async fn send(&self, message: &Message, now: i64) -> Result<i32, Failure>;
}

/// The generic signed HTTP gateway, for every channel.
pub struct HttpGateway {
    pub url: String,
    pub secret: String,
    pub client: reqwest::Client,
}

#[async_trait]
impl Notifier for HttpGateway {
    fn serves(&self, _channel: Channel) -> bool {
        true
    }

    async fn send(&self, message: &Message, now: i64) -> Result<i32, Failure> {
        let body = serde_json::to_vec(message).unwrap_or_default();
        let answer = self
            .client
            .post(&self.url)
            .header("content-type", "application/json")
            .header(signature::HEADER, signature::sign(&self.secret, now, &body))
            .header("x-duban-notification", message.notification_id.clone())
            .body(body)
            .send()
            .await
            .map_err(|err| Failure {
                status: None,
                error: err.to_string(),
            })?;
        let status = i32::from(answer.status().as_u16());
        if answer.status().is_success() {
            Ok(status)
        } else {
            Err(Failure {
                status: Some(status),
                error: format!("the gateway answered {status}"),
            })
        }
    }
}
