//! Which [`ProviderConfig`] serves a route.
//!
//! A [`Registry`] maps (API, family) to a config. [`Registry::default`] holds the built-in
//! families; users add their own with [`Registry::register`] without touching this crate.

use std::collections::HashMap;
use std::sync::Arc;

use bedrock_types::{Error, ErrorKind, Result};

use crate::config::ProviderConfig;
use crate::converse::ConverseConfig;
use crate::route::{Api, ModelFamily, ModelRoute};

/// What a registration applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RouteKey {
    /// Every family on this API (the fallback).
    Api(Api),
    /// One family on one API.
    Family(Api, ModelFamily),
}

/// Route → config table.
#[derive(Debug, Clone)]
pub struct Registry {
    configs: HashMap<RouteKey, Arc<dyn ProviderConfig>>,
}

impl Default for Registry {
    fn default() -> Self {
        let mut r = Registry {
            configs: HashMap::new(),
        };
        let converse: Arc<dyn ProviderConfig> = Arc::new(ConverseConfig);
        r.register(RouteKey::Api(Api::Converse), converse.clone());
        r.register(RouteKey::Api(Api::ConverseLike), converse);
        r.register(
            RouteKey::Family(Api::Invoke, ModelFamily::Anthropic),
            Arc::new(crate::anthropic::AnthropicMessagesConfig),
        );
        r.register(
            RouteKey::Family(Api::Agent, ModelFamily::Agent),
            Arc::new(crate::agents::InvokeAgentConfig),
        );
        crate::invoke::prompt::register(&mut r);
        crate::invoke::chat_style::register(&mut r);
        r
    }
}

impl Registry {
    /// An empty registry.
    pub fn empty() -> Self {
        Registry {
            configs: HashMap::new(),
        }
    }

    /// Serve `key` with `config`, replacing any earlier registration.
    pub fn register(&mut self, key: RouteKey, config: Arc<dyn ProviderConfig>) -> &mut Self {
        self.configs.insert(key, config);
        self
    }

    /// The config for `route`: the family-specific one, else the API's fallback.
    pub fn config_for(&self, route: &ModelRoute) -> Result<&dyn ProviderConfig> {
        self.configs
            .get(&RouteKey::Family(route.api, route.family))
            .or_else(|| self.configs.get(&RouteKey::Api(route.api)))
            .map(|c| c.as_ref())
            .ok_or_else(|| {
                let hint = match route.api {
                    Api::Invoke => format!(
                        ", try bedrock/converse/{} or a family prefix (bedrock/llama/, bedrock/openai/, …)",
                        route.model_id
                    ),
                    _ => String::new(),
                };
                Error::new(
                    ErrorKind::NotFound,
                    format!(
                        "no provider config for family `{}` on the {} route (model={}){hint}",
                        route.family,
                        route.api.as_str(),
                        route.model
                    ),
                )
                .with_param("model")
            })
    }
}
