//! SeaORM entities for Duban, one module per table. This crate knows nothing about GraphQL or
//! HTTP: it maps rows to Rust types and nothing more. Foreign keys, unique constraints and
//! indexes live in the `migration` crate, which is the source of truth for the schema.

pub mod api_keys;
pub mod attachments;
pub mod audit_log;
pub mod calendar_days;
pub mod categories;
pub mod contacts;
pub mod documents;
pub mod enums;
pub mod escalations;
pub mod events;
pub mod extension_requests;
pub mod handback_requests;
pub mod indicator_readings;
pub mod indicators;
pub mod instructions;
pub mod leader_units;
pub mod leaders;
pub mod ledger_entries;
pub mod notice_evidence;
pub mod notice_figures;
pub mod notice_units;
pub mod notices;
pub mod notifications;
pub mod obligations;
pub mod progress_reports;
pub mod proposal_replies;
pub mod refresh_tokens;
pub mod reminders;
pub mod report_indicator_values;
pub mod report_reviews;
pub mod report_versions;
pub mod reporting_periods;
pub mod scoring_weights;
pub mod task_leaders;
pub mod task_proposals;
pub mod task_receipts;
pub mod task_units;
pub mod tasks;
pub mod unit_aliases;
pub mod units;
pub mod users;
pub mod webhook_deliveries;
pub mod webhook_kinds;
pub mod webhooks;
