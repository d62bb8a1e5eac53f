//! Family configs registered by [`register`].

use crate::registry::Registry;

/// Register this module's family configs.
pub(crate) fn register(_registry: &mut Registry) {}
