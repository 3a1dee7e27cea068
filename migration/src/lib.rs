//! The database schema of Duban as an ordered list of migrations. They run unchanged on SQLite
//! and PostgreSQL; the few statements that differ (triggers) branch on the backend explicitly.

pub use sea_orm_migration::prelude::*;

mod helpers;
mod m20261121_000001_registry;
mod m20261121_000002_documents;
mod m20261121_000003_workflow;
mod m20261121_000004_audit;
mod m20261121_000005_proposal_replies;
mod m20261121_000006_event_notify;
mod m20261121_000007_draft_values;
mod m20261128_000008_username_keys;
mod m20261128_000009_task_deadline_words;
mod m20261128_000010_obligations;
mod m20261128_000011_collective_index;
mod m20261128_000012_scoring_weights;
mod m20261128_000013_notice_figures;
mod m20261128_000014_indicator_latest;
mod m20261128_000015_api_keys;
mod m20261128_000016_webhooks;
mod m20261128_000017_indicator_readings;
mod m20261128_000018_notifications;
mod m20261128_000019_api_key_units;
mod m20261128_000020_handover;
mod m20261128_000021_escalations;
mod m20261128_000022_provenance;
mod m20261128_000023_unit_signoff;
mod m20261128_000024_motion_follow_ups;
mod m20261128_000025_contributions;
mod m20261128_000026_motion_tasks;
mod m20261128_000027_review_offices;
mod m20261128_000028_leader_material;
mod m20261129_000029_keyset_indexes;
mod m20261129_000030_task_text_trigrams;
mod m20261129_000031_task_counts;
mod m20261129_000032_obligation_counts;
mod m20261129_000033_task_figure_counts;
mod m20261129_000034_unit_task_order;
mod m20261129_000035_webhook_outbox_trigger;
mod m20261129_000036_obligation_task_order;
mod m20261130_000037_unit_obligation_counts;
mod m20261130_000038_awaiting_review_index;

/// Runs every migration in order; used by `api migrate`, by the server at start and by tests.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_registry::Migration),
            Box::new(m20261121_000002_documents::Migration),
            Box::new(m20261121_000003_workflow::Migration),
            Box::new(m20261121_000004_audit::Migration),
            Box::new(m20261121_000005_proposal_replies::Migration),
            Box::new(m20261121_000006_event_notify::Migration),
            Box::new(m20261121_000007_draft_values::Migration),
            Box::new(m20261128_000008_username_keys::Migration),
            Box::new(m20261128_000009_task_deadline_words::Migration),
            Box::new(m20261128_000010_obligations::Migration),
            Box::new(m20261128_000011_collective_index::Migration),
            Box::new(m20261128_000012_scoring_weights::Migration),
            Box::new(m20261128_000013_notice_figures::Migration),
            Box::new(m20261128_000014_indicator_latest::Migration),
            Box::new(m20261128_000015_api_keys::Migration),
            Box::new(m20261128_000016_webhooks::Migration),
            Box::new(m20261128_000017_indicator_readings::Migration),
            Box::new(m20261128_000018_notifications::Migration),
            Box::new(m20261128_000019_api_key_units::Migration),
            Box::new(m20261128_000020_handover::Migration),
            Box::new(m20261128_000021_escalations::Migration),
            Box::new(m20261128_000022_provenance::Migration),
            Box::new(m20261128_000023_unit_signoff::Migration),
            Box::new(m20261128_000024_motion_follow_ups::Migration),
            Box::new(m20261128_000025_contributions::Migration),
            Box::new(m20261128_000026_motion_tasks::Migration),
            Box::new(m20261128_000027_review_offices::Migration),
            Box::new(m20261128_000028_leader_material::Migration),
            Box::new(m20261129_000029_keyset_indexes::Migration),
            Box::new(m20261129_000030_task_text_trigrams::Migration),
            Box::new(m20261129_000031_task_counts::Migration),
            Box::new(m20261129_000032_obligation_counts::Migration),
            Box::new(m20261129_000033_task_figure_counts::Migration),
            Box::new(m20261129_000034_unit_task_order::Migration),
            Box::new(m20261129_000035_webhook_outbox_trigger::Migration),
            Box::new(m20261129_000036_obligation_task_order::Migration),
            Box::new(m20261130_000037_unit_obligation_counts::Migration),
            Box::new(m20261130_000038_awaiting_review_index::Migration),
        ]
    }
}
