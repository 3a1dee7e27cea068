//! DataLoader keys of webhooks.

use crate::graphql::loaders::loader;

loader!(
    /// A webhook by id, for the bureau.
    WebhookReadableById(i64) => entity::webhooks::Model,
    signed in |this, actor, ids| super::service::readable_by_ids(actor, &this.db, &ids)
);

loader!(
    /// A webhook's latest deliveries (the webhook itself is read through its loader first).
    DeliveriesOfWebhook(i64) => Vec<entity::webhook_deliveries::Model>,
    |this, ids| super::service::deliveries_of(&this.db, &ids)
);

loader!(
    /// The event kinds a webhook wants.
    KindsOfWebhook(i64) => Vec<entity::webhook_kinds::Model>,
    |this, ids| super::service::kinds_of(&this.db, &ids)
);
