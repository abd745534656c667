//! `checkpoint_due`: decides whether this tick's import carries a durable checkpoint, so that the checkpoint is
//! written in the SAME store transaction as the blocks it covers (by `import_blocks`).
//!
//! Due when the blocks since the last checkpoint (with those about to import) reach `checkpoint_every_blocks`,
//! when `checkpoint_every_ms` has passed with blocks to import or imported since the last checkpoint (then
//! `import_blocks` writes a checkpoint of the head alone: imports that stopped short of an unreachable target are
//! made durable too), or when this import reaches the target.

use bevy_ecs::prelude::*;
use ecsync_components::SyncConfig;
use ecsync_components::ecs::ReadyToImport;
use ecsync_components::resources::{ChainHead, CheckpointState, Clock, SyncProgress};

/// Sets `CheckpointState::due`. See the module docs.
pub fn checkpoint_due(
    clock: Res<Clock>,
    config: Res<SyncConfig>,
    head: Res<ChainHead>,
    progress: Res<SyncProgress>,
    mut state: ResMut<CheckpointState>,
    ready: Query<(), With<ReadyToImport>>,
) {
    let ready = ready.iter().count() as u64;
    let pending = state.blocks_since + ready;
    if state.window_start_ms == 0 {
        state.window_start_ms = state.last.map_or(clock.now_ms, |c| c.created_at_ms);
    }
    let last_at = state.window_start_ms;
    let reaches_target = ready > 0 && head.0.height + ready >= progress.target;
    state.due = pending > 0
        && (pending >= config.checkpoint_every_blocks
            || clock.now_ms.saturating_sub(last_at) >= config.checkpoint_every_ms
            || reaches_target);
}
