//! Fakes of the AWS credential services (STS, SSO portal, ECS container endpoint, IMDSv2) on
//! loopback, for `bedrock-auth`'s tests.
