//! Model resolution: a request's `model` (a config `model_name`) → one deployment.
//!
//! Several entries with the same `model_name` are used in turn (round-robin; LiteLLM's default
//! `simple-shuffle` picks at random, round-robin spreads load the same way and is
//! deterministic). A `model_name` ending in `*` matches any name with that prefix, and a `*` in
//! its `litellm_params.model` takes the matched suffix (LiteLLM's wildcard routing). With
//! passthrough on (no config, or `demo`), any `bedrock/...` name no entry lists is sent as is.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::config::{Config, Deployment};

#[derive(Debug)]
struct Group {
    name: String,
    deployments: Vec<Arc<Deployment>>,
    next: AtomicUsize,
}

impl Group {
    fn pick(&self) -> Option<Arc<Deployment>> {
        if self.deployments.is_empty() {
            return None;
        }
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.deployments.len();
        self.deployments.get(i).cloned()
    }
}

/// The chosen deployment and the Bedrock model string to send.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The config entry (defaults and credentials).
    pub deployment: Arc<Deployment>,
    /// `bedrock/...`, wildcards filled in.
    pub model: String,
}

/// Every model the gateway serves.
#[derive(Debug)]
pub struct ModelTable {
    exact: Vec<Group>,
    wildcards: Vec<Group>,
    passthrough: bool,
}

impl ModelTable {
    /// Group the config's entries by name, in file order.
    pub fn new(config: &Config) -> ModelTable {
        let mut exact: Vec<Group> = Vec::new();
        let mut wildcards: Vec<Group> = Vec::new();
        for d in &config.model_list {
            let list = if d.model_name.ends_with('*') {
                &mut wildcards
            } else {
                &mut exact
            };
            match list.iter_mut().find(|g| g.name == d.model_name) {
                Some(g) => g.deployments.push(Arc::new(d.clone())),
                None => list.push(Group {
                    name: d.model_name.clone(),
                    deployments: vec![Arc::new(d.clone())],
                    next: AtomicUsize::new(0),
                }),
            }
        }
        // Longest prefix first.
        wildcards.sort_by_key(|g| std::cmp::Reverse(g.name.len()));
        ModelTable {
            exact,
            wildcards,
            passthrough: config.passthrough,
        }
    }

    /// The deployment for `requested`, if any.
    pub fn resolve(&self, requested: &str) -> Option<Resolved> {
        if let Some(g) = self.exact.iter().find(|g| g.name == requested) {
            let deployment = g.pick()?;
            return Some(Resolved {
                model: deployment.model.clone(),
                deployment,
            });
        }
        for g in &self.wildcards {
            let prefix = g.name.trim_end_matches('*');
            if let Some(suffix) = requested.strip_prefix(prefix)
                && !suffix.is_empty()
            {
                let deployment = g.pick()?;
                let model = if deployment.model.contains('*') {
                    deployment.model.replacen('*', suffix, 1)
                } else {
                    deployment.model.clone()
                };
                return Some(Resolved { deployment, model });
            }
        }
        if self.passthrough && requested.starts_with("bedrock/") && requested.len() > 8 {
            return Some(Resolved {
                deployment: Arc::new(Deployment::passthrough(requested)),
                model: requested.to_owned(),
            });
        }
        None
    }

    /// Whether any group name ends in `*`.
    pub fn has_wildcards(&self) -> bool {
        !self.wildcards.is_empty()
    }

    /// The listed names (wildcards included), in file order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.exact
            .iter()
            .chain(self.wildcards.iter())
            .map(|g| g.name.as_str())
    }

    /// The deployments behind `name`, if it is listed.
    pub fn deployments(&self, name: &str) -> Option<&[Arc<Deployment>]> {
        self.exact
            .iter()
            .chain(self.wildcards.iter())
            .find(|g| g.name == name)
            .map(|g| g.deployments.as_slice())
    }

    /// The first deployment of the listed entry (exact or wildcard) that `requested` names;
    /// `None` for a passthrough or unknown name. A call to a listed model goes through
    /// LiteLLM's router, which words its errors around it.
    pub fn listed(&self, requested: &str) -> Option<&Arc<Deployment>> {
        if let Some(g) = self.exact.iter().find(|g| g.name == requested) {
            return g.deployments.first();
        }
        self.wildcards
            .iter()
            .find(|g| {
                requested
                    .strip_prefix(g.name.trim_end_matches('*'))
                    .is_some_and(|s| !s.is_empty())
            })
            .and_then(|g| g.deployments.first())
    }

    /// Whether unlisted `bedrock/...` names are served.
    pub fn passthrough(&self) -> bool {
        self.passthrough
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn dep(name: &str, model: &str) -> Deployment {
        let mut d = Deployment::passthrough(model);
        d.model_name = name.to_owned();
        d
    }

    #[test]
    fn round_robin_wildcards_and_passthrough() {
        let config = Config {
            model_list: vec![
                dep("claude", "bedrock/a.one"),
                dep("claude", "bedrock/a.two"),
                dep("bedrock/*", "bedrock/*"),
            ],
            ..Config::default()
        };
        let t = ModelTable::new(&config);
        let picks: Vec<String> = (0..4).map(|_| t.resolve("claude").unwrap().model).collect();
        assert_eq!(
            picks,
            [
                "bedrock/a.one",
                "bedrock/a.two",
                "bedrock/a.one",
                "bedrock/a.two"
            ]
        );
        assert_eq!(t.resolve("bedrock/x.y").unwrap().model, "bedrock/x.y");
        assert!(t.resolve("gpt-4o").is_none());
        let t = ModelTable::new(&Config::passthrough());
        assert_eq!(t.resolve("bedrock/m.n").unwrap().model, "bedrock/m.n");
        assert!(t.resolve("m.n").is_none());
    }
}
