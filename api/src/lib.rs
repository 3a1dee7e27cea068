//! Duban: the GraphQL API service of government task supervision (督查督办).
//!
//! See `ARCHITECTURE.md` at the repository root for the map of this crate and its invariants.
//! In short, from the top down: `http` receives requests (the caller from `auth::extract`) and
//! runs them against `schema`, which merges the domains' schema parts; each domain (`units`,
//! `leaders`, `documents`, `tasks`, `import`, `periods`, `reports`, `obligations`,
//! `extensions`, `handover`, `escalations`, `reminders`, `instructions`, `ledger`, `attachments`, `proposals`, `provenance`, `stats`,
//! `notices`, `pages`, `live`, `webhooks`, `notify`, `users`, `auth`, `audit`) has a `service` with the business rules, a `schema` with
//! its GraphQL face and `loaders` with its DataLoader keys; at the bottom, `graphql` is the
//! GraphQL toolkit, `events` and `audit` record changes, `state` holds the shared services, and
//! `error` decides what clients see.

pub mod attachments;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod deadline;
pub mod demo;
pub mod documents;
pub mod error;
pub mod escalations;
pub mod events;
pub mod exports;
pub mod extensions;
pub mod generate;
pub mod graphql;
pub mod handover;
pub mod http;
pub mod import;
pub mod instructions;
pub mod leaders;
pub mod ledger;
pub mod live;
pub mod materials;
pub mod metrics;
pub mod notices;
pub mod notify;
pub mod obligations;
pub mod pages;
pub mod pagination;
pub mod periods;
pub mod proposals;
pub mod provenance;
pub mod reference_cache;
pub mod reminders;
pub mod reports;
pub mod schema;
pub mod server;
pub mod startup;
pub mod state;
pub mod stats;
pub mod storage;
pub mod tallies;
pub mod tasks;
pub mod telemetry;
pub mod units;
pub mod users;
pub mod validation;
pub mod webhooks;
