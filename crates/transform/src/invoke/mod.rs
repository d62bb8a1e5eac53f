//! InvokeModel families with native bodies (one module per family).
//!
//! `prompt`: families that take a rendered prompt string (Llama, Mistral, Titan, Cohere, AI21,
//! DeepSeek R1, legacy Claude). `chat_style`: families that take message lists (OpenAI-compatible
//! imported models and gpt-oss, Qwen ChatML, Moonshot Kimi, TwelveLabs Pegasus, Nova on invoke).
//! Claude 3+ lives in [`crate::anthropic`].

pub mod chat_style;
pub mod prompt;
