//! DataLoader keys of notices.

use crate::graphql::loaders::loader;

loader!(
    /// A notice by id, if the principal may read it (drafts: the bureau only).
    NoticeReadableById(i64) => entity::notices::Model,
    signed in |this, actor, ids| super::service::readable_by_ids(actor, &this.db, &ids)
);

loader!(
    /// The units a notice names, with their reasons and stated figures (the notice itself is
    /// read through `NoticeReadableById` first).
    NamedUnitsOfNotice(i64) => Vec<super::service::Named>,
    |this, ids| super::service::named_of(&this.db, &ids)
);

loader!(
    /// The obligations counted in a notice that the principal may read (a unit its own, a
    /// leader those of the units they supervise).
    CountedOfNotice(i64) => Vec<entity::notice_evidence::Model>,
    signed in |this, actor, ids| super::service::evidence_of(actor, &this.db, &ids)
);
