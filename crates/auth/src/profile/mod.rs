//! Profiles from the shared config and credentials files.

pub mod ini;

use std::collections::HashMap;
use std::path::Path;

use crate::config::ProviderConfig;
use crate::error::AuthError;

/// One profile (or `[sso-session]` / `[services]` section): merged properties.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    name: String,
    properties: HashMap<String, String>,
}

impl Profile {
    /// The profile name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A property, trimmed; blank counts as unset.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.properties
            .get(key)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// Whether the profile holds `aws_access_key_id` and `aws_secret_access_key`.
    pub fn has_static_keys(&self) -> bool {
        self.get("aws_access_key_id").is_some() && self.get("aws_secret_access_key").is_some()
    }
}

/// Every profile of the config and credentials files.
#[derive(Debug, Clone, Default)]
pub struct ProfileSet {
    profiles: HashMap<String, Profile>,
    sso_sessions: HashMap<String, Profile>,
    services: HashMap<String, Profile>,
    sources: Vec<String>,
}

impl ProfileSet {
    /// Read `AWS_CONFIG_FILE`/`~/.aws/config` and `AWS_SHARED_CREDENTIALS_FILE`/
    /// `~/.aws/credentials`. Missing files are empty; unreadable or malformed files are errors.
    pub fn load(cfg: &ProviderConfig) -> Result<Self, AuthError> {
        let config = read_optional(cfg.config_file().as_deref())?;
        let creds = read_optional(cfg.credentials_file().as_deref())?;
        Self::parse(
            config.as_ref().map(|(p, t)| (p.as_str(), t.as_str())),
            creds.as_ref().map(|(p, t)| (p.as_str(), t.as_str())),
        )
    }

    /// Build from file contents `(path, text)`.
    pub fn parse(
        config: Option<(&str, &str)>,
        credentials: Option<(&str, &str)>,
    ) -> Result<Self, AuthError> {
        let mut set = ProfileSet::default();
        if let Some((path, text)) = config {
            set.sources.push(path.to_owned());
            // `[profile default]` beats `[default]` (aws-config's rule), so apply it last.
            let mut sections = ini::parse(text, path)?;
            sections.sort_by_key(|s| s.header.starts_with("profile "));
            for section in sections {
                let header = section.header.as_str();
                let (map, name) = if header == "default" {
                    (&mut set.profiles, "default".to_owned())
                } else if let Some(n) = header.strip_prefix("profile ") {
                    (&mut set.profiles, n.trim().to_owned())
                } else if let Some(n) = header.strip_prefix("sso-session ") {
                    (&mut set.sso_sessions, n.trim().to_owned())
                } else if let Some(n) = header.strip_prefix("services ") {
                    (&mut set.services, n.trim().to_owned())
                } else {
                    // The SDKs ignore other sections of the config file (`[foo]` without
                    // `profile `); so do we.
                    tracing::debug!(section = header, path, "ignoring config section");
                    continue;
                };
                merge(map, name, section.properties);
            }
        }
        if let Some((path, text)) = credentials {
            set.sources.push(path.to_owned());
            // Applied after the config file: credentials-file values win for the same profile.
            for section in ini::parse(text, path)? {
                if section.header.starts_with("profile ") {
                    tracing::debug!(section = %section.header, path, "ignoring `profile ` section in credentials file");
                    continue;
                }
                merge(
                    &mut set.profiles,
                    section.header.trim().to_owned(),
                    section.properties,
                );
            }
        }
        Ok(set)
    }

    /// A profile by name.
    pub fn profile(&self, name: &str) -> Option<&Profile> {
        self.profiles.get(name)
    }

    /// An `[sso-session NAME]` section.
    pub fn sso_session(&self, name: &str) -> Option<&Profile> {
        self.sso_sessions.get(name)
    }

    /// A `[services NAME]` section.
    pub fn services(&self, name: &str) -> Option<&Profile> {
        self.services.get(name)
    }

    /// The files the set was read from (for messages).
    pub fn sources(&self) -> String {
        if self.sources.is_empty() {
            "no config or credentials file".to_owned()
        } else {
            self.sources.join(", ")
        }
    }
}

/// The profile the ambient chain uses: `AWS_PROFILE`, `AWS_DEFAULT_PROFILE`, else `default`.
pub fn selected_profile_name(cfg: &ProviderConfig) -> String {
    cfg.env()
        .get_non_empty("AWS_PROFILE")
        .or_else(|| cfg.env().get_non_empty("AWS_DEFAULT_PROFILE"))
        .unwrap_or_else(|| "default".to_owned())
}

fn merge(map: &mut HashMap<String, Profile>, name: String, properties: Vec<(String, String)>) {
    let profile = map.entry(name.clone()).or_insert_with(|| Profile {
        name,
        properties: HashMap::new(),
    });
    profile.properties.extend(properties);
}

fn read_optional(path: Option<&Path>) -> Result<Option<(String, String)>, AuthError> {
    let Some(path) = path else { return Ok(None) };
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some((path.display().to_string(), text))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(AuthError::ProfileParse {
            path: path.display().to_string(),
            line: 0,
            message: format!("cannot read file: {e}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_file_overrides_config_and_profile_default_wins() {
        let set = ProfileSet::parse(
            Some((
                "config",
                "[profile default]\nregion = us-east-2\n[default]\nregion = us-east-1\naws_access_key_id = FROMCONFIG\n[foo]\nx = 1\n[sso-session s]\nsso_region = eu-west-1\n",
            )),
            Some(("credentials", "[default]\naws_access_key_id = FROMCREDS\n[profile bad]\nx = 1\n")),
        )
        .unwrap();
        let d = set.profile("default").unwrap();
        assert_eq!(d.get("region"), Some("us-east-2"));
        assert_eq!(d.get("aws_access_key_id"), Some("FROMCREDS"));
        assert!(set.profile("foo").is_none());
        assert!(set.profile("bad").is_none());
        assert_eq!(
            set.sso_session("s").unwrap().get("sso_region"),
            Some("eu-west-1")
        );
    }
}
