//! Resources that hold behaviour-crate types (decoded BLS keys), which `ecsync-components` cannot name.

use bevy_ecs::prelude::Resource;

use crate::consensus::Authorities;

/// The federation's decoded, subgroup-checked public keys.
#[derive(Resource, Clone, Debug)]
pub struct FederationKeys(pub Authorities);
