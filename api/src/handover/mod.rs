//! Receiving and handing back tasks: a unit acknowledges (签收) each task it is assigned
//! within its notice's window of working days (`receipts`), and may ask, with a reason and in
//! its window, to hand a task back (退办); the bureau refuses or transfers it to another unit
//! (转办, `handbacks`). The windows count working days of the bureau's calendar (`calendar`).
//! Unacknowledged tasks are listed and reminded by the deadline job (`reminders::rules`).

pub mod calendar;
pub mod handbacks;
pub mod loaders;
pub mod receipts;
pub mod schema;
