#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| bedrock_fuzz_targets::chat_request(data));
