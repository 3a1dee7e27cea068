//! GraphQL face of instructions: `Task.instructions` and `writeInstruction`.

use async_graphql::{ComplexObject, Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::instructions;

use crate::graphql::context::ContextExt;
use crate::graphql::enums::{InstructionKind, Role};
use crate::graphql::relay::{self, Kind, expect_id, expect_optional_id};
use crate::instructions::service::{self, NewInstruction};
use crate::users::loaders::UserById;

/// An instruction (批示) or a reply in a task's thread.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct Instruction {
    pub id: ID,
    pub kind: InstructionKind,
    pub body: String,
    pub created_at: DateTime<Utc>,
    /// The instruction this replies to.
    pub parent_id: Option<ID>,
    /// Set when the instruction is about one report rather than the task.
    pub report_id: Option<ID>,
    #[graphql(skip)]
    pub author_id: i64,
}

impl From<instructions::Model> for Instruction {
    fn from(i: instructions::Model) -> Self {
        Self {
            id: relay::global_id(Kind::Instruction, i.id),
            kind: i.kind.into(),
            body: i.body,
            created_at: i.created_at,
            parent_id: i
                .parent_id
                .map(|id| relay::global_id(Kind::Instruction, id)),
            report_id: i.report_id.map(|id| relay::global_id(Kind::Report, id)),
            author_id: i.author_id,
        }
    }
}

/// Who wrote an instruction: the name and role shown in the thread.
#[derive(SimpleObject, Debug, Clone)]
pub struct InstructionAuthor {
    pub display_name: String,
    pub role: Role,
}

#[ComplexObject]
impl Instruction {
    async fn author(&self, ctx: &Context<'_>) -> Result<Option<InstructionAuthor>> {
        let user = ctx.loader().load_one(UserById(self.author_id)).await?;
        Ok(user.map(|u| InstructionAuthor {
            display_name: u.display_name,
            role: u.role.into(),
        }))
    }
}

#[derive(InputObject, Debug)]
pub struct WriteInstructionInput {
    pub task_id: ID,
    /// To write about one report of the task.
    pub report_id: Option<ID>,
    /// To reply to an instruction.
    pub parent_id: Option<ID>,
    pub body: String,
}

#[derive(SimpleObject, Debug)]
pub struct WriteInstructionPayload {
    pub instruction: Instruction,
}

#[derive(Default)]
pub struct InstructionMutation;

#[Object]
impl InstructionMutation {
    /// Writes an instruction on a task or report (LEADER of the task, BUREAU), or a reply
    /// (anyone who reads the thread, units included).
    async fn write_instruction(
        &self,
        ctx: &Context<'_>,
        input: WriteInstructionInput,
    ) -> Result<WriteInstructionPayload> {
        let actor = ctx.actor()?;
        let new = NewInstruction {
            task_id: expect_id("taskId", &input.task_id, Kind::Task)?,
            report_id: expect_optional_id("reportId", input.report_id.as_ref(), Kind::Report)?,
            parent_id: expect_optional_id("parentId", input.parent_id.as_ref(), Kind::Instruction)?,
            body: input.body,
        };
        let stored = service::write(actor, ctx.db(), ctx.now(), new).await?;
        Ok(WriteInstructionPayload {
            instruction: stored.into(),
        })
    }
}
