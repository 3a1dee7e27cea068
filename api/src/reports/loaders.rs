//! DataLoader keys of progress reports, their versions, reviews and indicator values.

use entity::{
    indicators, progress_reports, report_indicator_values, report_reviews, report_versions,
};

use crate::graphql::loaders::loader;

loader!(
    /// The indicators of a task, in written order.
    IndicatorsOfTask(i64) => Vec<indicators::Model>,
    |this, ids| super::values::indicators_of(&this.db, &ids)
);
loader!(
    /// The indicator values of a report version, with their indicators.
    ValuesOfVersion(i64) => Vec<(report_indicator_values::Model, indicators::Model)>,
    |this, ids| super::values::of_versions(&this.db, &ids)
);
loader!(
    /// The reports of a task the principal may read (a unit: its own unit's only).
    ReportsOfTask(i64) => Vec<progress_reports::Model>,
    signed in |this, actor, ids| super::service::readable_of_tasks(actor, &this.db, &ids)
);
loader!(
    /// The submitted versions of a report (the report has passed the access check).
    VersionsOfReport(i64) => Vec<report_versions::Model>,
    |this, ids| super::service::versions_of(&this.db, &ids)
);
loader!(
    /// The review of a report version.
    ReviewOfVersion(i64) => report_reviews::Model,
    |this, ids| super::service::reviews_of(&this.db, &ids)
);

loader!(
    /// A report by id, if the principal may read it.
    ReportReadableById(i64) => entity::progress_reports::Model,
    signed in |this, actor, ids| super::service::readable_by_ids(actor, &this.db, &ids)
);

loader!(
    /// An indicator by id, if the principal may see its task.
    IndicatorVisibleById(i64) => entity::indicators::Model,
    signed in |this, actor, ids| super::values::visible_indicators_by_ids(actor, &this.db, &ids)
);

loader!(
    /// A unit's draft put to its head, by id, if the principal may read it.
    SignoffReadableById(i64) => entity::report_signoffs::Model,
    signed in |this, actor, ids| super::signoff::readable_by_ids(actor, &this.db, &ids)
);

loader!(
    /// The partners' contributions consolidated into a version (the caller reads the version).
    ContributionsOfVersion(i64) => Vec<entity::contributions::Model>,
    |this, ids| super::contributions::of_versions(&this.db, &ids)
);
