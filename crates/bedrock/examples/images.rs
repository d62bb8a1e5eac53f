//! Image Generation (Amazon Nova Canvas and Stable Diffusion 3): OpenAI's `images/generations`
//! shape, images back as `b64_json`.
//!
//! ```python
//! response = image_generation(model="bedrock/amazon.nova-canvas-v1:0",
//!                             prompt="A cute baby sea otter", n=2, size="1024x1024")
//! response = image_generation(model="bedrock/stability.sd3-large-v1:0",
//!                             prompt="A cute baby sea otter")
//! ```
//!
//! Run: `cargo run -p bedrock --example images` (`BEDROCK_EXAMPLES_MOCK=1`: the mock). The
//! images are written to the temp directory.

#[path = "common/mod.rs"]
mod common;

use base64::Engine;
use bedrock::Client;
use bedrock::types::Result;
use bedrock::types::images::ImageGenerationRequest;
use serde_json::json;

/// Both calls; one line per image: model, size in bytes of the decoded PNG, cost of the call.
pub async fn run(client: &Client) -> Result<String> {
    let calls = [
        json!({"model": "bedrock/amazon.nova-canvas-v1:0", "prompt": "A cute baby sea otter",
               "n": 2, "size": "1024x1024"}),
        json!({"model": "bedrock/stability.sd3-large-v1:0", "prompt": "A cute baby sea otter"}),
    ];
    let mut out = Vec::new();
    for call in calls {
        let request: ImageGenerationRequest = common::request(call)?;
        let model = request.model.clone();
        let response = client.image_generation(request).await?;
        for (i, image) in response.data.iter().enumerate() {
            let png = base64::engine::general_purpose::STANDARD
                .decode(image.b64_json.as_deref().unwrap_or_default())
                .map_err(|e| bedrock::types::Error::invalid_field("b64_json", e))?;
            let path = std::env::temp_dir().join(format!(
                "bedrock-{}-{i}.png",
                model.replace(['/', ':'], "_")
            ));
            std::fs::write(&path, &png).map_err(|e| {
                bedrock::types::Error::invalid_field("image file", format!("writable ({e})"))
            })?;
            out.push(format!(
                "{model} #{i}: {} bytes PNG -> {}",
                png.len(),
                path.display()
            ));
        }
        out.push(format!(
            "{model}: ${:.4}",
            response.meta.response_cost.unwrap_or_default()
        ));
    }
    Ok(out.join("\n"))
}

#[tokio::main]
async fn main() -> Result<()> {
    let (client, _mock) = common::client("images").await?;
    println!("{}", run(&client).await?);
    Ok(())
}
