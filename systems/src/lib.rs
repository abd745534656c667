//! # ecsync-systems
//!
//! Behaviour: the consensus rules of a federated PoA chain, a deterministic chain generator, and (for the engine)
//! one file per ECS system. Nothing here touches a socket, a file or a clock.

pub mod chaingen;
pub mod consensus;
