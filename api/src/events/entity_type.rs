//! What a recorded change is about: the kind of row an event or an audit row names
//! (`events.entity_type`, `audit_log.entity_type`). Typed, so a recorded change cannot name a
//! kind no reader knows; the GraphQL face turns the row id into the global ID of this kind.

/// Declares `EntityType` from one table: variant and stored string.
macro_rules! entity_types {
    ($($(#[$doc:meta])* $entity:ident => $stored:literal;)*) => {
        /// The kind of row a change concerns.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, async_graphql::Enum)]
        pub enum EntityType {
            $($(#[$doc])* $entity,)*
        }

        impl EntityType {
            /// Every entity type, in the order of the table.
            pub const ALL: &[EntityType] = &[$(EntityType::$entity,)*];

            /// The string stored in `entity_type`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(EntityType::$entity => $stored,)*
                }
            }

            /// The entity type a stored string names, if it names one.
            pub fn parse(stored: &str) -> Option<Self> {
                match stored {
                    $($stored => Some(EntityType::$entity),)*
                    _ => None,
                }
            }
        }
    };
}

entity_types! {
    User => "user";
    Unit => "unit";
    Leader => "leader";
    Document => "document";
    Category => "category";
    /// A reporting period of a document.
    Period => "period";
    Task => "task";
    /// A unit's progress report for a task and period.
    Report => "report";
    Reminder => "reminder";
    /// A unit's receipt (签收) of a task.
    Receipt => "receipt";
    /// A unit's request to hand a task back (退办).
    Handback => "handback";
    /// A unit clerk's draft put to the unit's head.
    Signoff => "signoff";
    /// A step of the escalation ladder.
    Escalation => "escalation";
    /// Material asked of a leader, and what they sent.
    MaterialRequest => "material_request";
    /// A request for a later due date.
    Extension => "extension";
    /// An instruction, comment or reply in a task's thread.
    Instruction => "instruction";
    LedgerEntry => "ledger_entry";
    Attachment => "attachment";
    /// A praise or criticism notice (通报).
    Notice => "notice";
    /// A webhook the bureau registered.
    Webhook => "webhook";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_types_are_distinct_and_read_back() {
        let mut seen = std::collections::HashSet::new();
        for &entity in EntityType::ALL {
            assert!(seen.insert(entity.as_str()), "{} twice", entity.as_str());
            assert_eq!(EntityType::parse(entity.as_str()), Some(entity));
        }
        assert_eq!(EntityType::parse("Task"), None);
    }
}
