//! Extension requests (延期申请): a unit asks for a later due date before the due date; the
//! bureau approves or rejects. The original due date is kept; an approved request moves that
//! unit's due date for the period, which lateness and obligations then measure against.

pub mod loaders;
pub mod schema;
pub mod service;
