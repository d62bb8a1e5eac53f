"""The official OpenAI Python SDK against bedrock-gateway (which serves the mock Bedrock).

Run by tests/python_sdk.rs: python openai_sdk.py BASE_URL API_KEY
Prints one line per case and a closing "N passed, N failed" line; exits non-zero on failure.
"""

import json
import sys
import traceback

import openai
from openai import OpenAI

BASE_URL, API_KEY = sys.argv[1], sys.argv[2]
client = OpenAI(base_url=BASE_URL + "/v1", api_key=API_KEY, max_retries=0, timeout=30)

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_current_weather",
        "description": "Get the current weather in a given location",
        "parameters": {
            "type": "object",
            "properties": {
                "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["location"],
        },
    },
}

CASES = []


def case(fn):
    CASES.append(fn)
    return fn


def expect_error(cls, status, fn, contains=None):
    try:
        fn()
    except cls as e:
        assert getattr(e, "status_code", status) == status, (e, getattr(e, "status_code", None))
        if contains is not None:
            assert contains in str(e), str(e)
        return e
    raise AssertionError(f"expected {cls.__name__}")


@case
def chat():
    r = client.chat.completions.create(
        model="claude", messages=[{"role": "user", "content": "Hello, how are you?"}], temperature=0.7, top_p=1
    )
    assert r.object == "chat.completion", r
    assert r.model == "claude", r.model
    assert r.choices[0].message.role == "assistant"
    assert r.choices[0].message.content == "Hello from the mock Bedrock. You said: Hello, how are you?", r
    assert r.choices[0].finish_reason == "stop"
    assert r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens > 0


@case
def chat_provider_params():
    # Provider-specific params travel in the body (extra_body), exactly as LiteLLM's proxy takes them.
    r = client.chat.completions.create(
        model="claude",
        messages=[{"role": "user", "content": "provider params"}],
        extra_body={
            "top_k": 1,
            "requestMetadata": {"cost_center": "engineering", "user_id": "user123"},
            "performanceConfig": {"latency": "optimized"},
            "serviceTier": {"type": "priority"},
            "reasoning_effort": None,
        },
    )
    assert r.choices[0].message.content.endswith("provider params")


@case
def chat_with_raw_response_headers():
    raw = client.chat.completions.with_raw_response.create(
        model="claude", messages=[{"role": "user", "content": "headers"}]
    )
    assert float(raw.headers["x-litellm-response-cost"]) > 0
    assert raw.parse().choices[0].message.content.endswith("headers")


@case
def streaming():
    stream = client.chat.completions.create(
        model="claude", messages=[{"role": "user", "content": "stream this please"}], stream=True
    )
    text, finish, n = "", None, 0
    for chunk in stream:
        n += 1
        assert chunk.object == "chat.completion.chunk"
        assert chunk.model == "claude"
        if chunk.choices and chunk.choices[0].delta.content:
            text += chunk.choices[0].delta.content
        if chunk.choices and chunk.choices[0].finish_reason:
            finish = chunk.choices[0].finish_reason
        assert chunk.usage is None
    assert text == "Hello from the mock Bedrock. You said: stream this please", text
    assert finish == "stop"
    assert n > 3, n


@case
def streaming_with_usage():
    stream = client.chat.completions.create(
        model="claude",
        messages=[{"role": "user", "content": "count me"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0, chunks[-1]


@case
def tools():
    r = client.chat.completions.create(
        model="claude-tools",
        messages=[{"role": "user", "content": "What's the weather like in Boston today?"}],
        tools=[WEATHER_TOOL],
        tool_choice="auto",
    )
    msg = r.choices[0].message
    assert r.choices[0].finish_reason == "tool_calls", r
    call = msg.tool_calls[0]
    assert isinstance(call.function.name, str) and call.function.name == "get_current_weather"
    assert isinstance(call.function.arguments, str)
    assert json.loads(call.function.arguments)["location"] == "Boston, MA"
    # The tool result goes back in the next turn.
    r2 = client.chat.completions.create(
        model="claude",
        messages=[
            {"role": "user", "content": "What's the weather like in Boston today?"},
            {"role": "assistant", "content": None, "tool_calls": [call.model_dump()]},
            {"role": "tool", "tool_call_id": call.id, "content": "22 degrees and sunny"},
        ],
        tools=[WEATHER_TOOL],
    )
    assert r2.choices[0].message.content


@case
def tools_streaming():
    stream = client.chat.completions.create(
        model="claude-tools",
        messages=[{"role": "user", "content": "What's the weather like in Boston today?"}],
        tools=[WEATHER_TOOL],
        stream=True,
    )
    name, args, finish = None, "", None
    for chunk in stream:
        if not chunk.choices:
            continue
        d = chunk.choices[0].delta
        for tc in d.tool_calls or []:
            assert tc.index == 0
            if tc.function.name:
                name = tc.function.name
            args += tc.function.arguments or ""
        finish = chunk.choices[0].finish_reason or finish
    assert name == "get_current_weather", name
    assert json.loads(args) == {"location": "Boston, MA"}, args
    assert finish == "tool_calls"


@case
def text_completions():
    r = client.completions.create(model="claude", prompt="say hi", max_tokens=20)
    assert r.object == "text_completion"
    assert r.choices[0].text == "Hello from the mock Bedrock. You said: say hi", r


@case
def embeddings():
    r = client.embeddings.create(model="titan-embed", input=["good morning from litellm"], encoding_format="float")
    assert r.object == "list"
    assert len(r.data) == 1 and r.data[0].index == 0
    assert all(isinstance(x, float) for x in r.data[0].embedding) and len(r.data[0].embedding) > 0
    assert r.model == "titan-embed"
    assert r.usage.prompt_tokens > 0
    r = client.embeddings.create(model="cohere-embed", input=["one", "two"], encoding_format="float")
    assert [d.index for d in r.data] == [0, 1]


@case
def images():
    r = client.images.generate(model="nova-canvas", prompt="A cute baby sea otter", n=1, size="1024x1024")
    assert len(r.data) == 1 and len(r.data[0].b64_json) > 10, r
    assert r.created > 0


@case
def rerank():
    # The SDK has no rerank method; its generic POST sends the Cohere-shaped body LiteLLM takes.
    r = client.post(
        "/rerank",
        cast_to=object,
        body={
            "model": "cohere-rerank",
            "query": "What is the capital of the United States?",
            "documents": ["Carson City is in Nevada.", "Washington, D.C. is the capital."],
            "top_n": 2,
        },
    )
    assert len(r["results"]) == 2 and "relevance_score" in r["results"][0], r


@case
def models():
    ids = [m.id for m in client.models.list()]
    assert "claude" in ids and "titan-embed" in ids, ids
    assert client.models.retrieve("claude").id == "claude"


@case
def error_unknown_model():
    expect_error(
        openai.BadRequestError,
        400,
        lambda: client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}]),
        contains="Invalid model name passed in model=gpt-4o",
    )


@case
def error_bad_key():
    bad = OpenAI(base_url=BASE_URL + "/v1", api_key="sk-wrong", max_retries=0)
    expect_error(
        openai.AuthenticationError,
        401,
        lambda: bad.chat.completions.create(model="claude", messages=[{"role": "user", "content": "x"}]),
    )


@case
def error_throttled():
    e = expect_error(
        openai.RateLimitError,
        429,
        lambda: client.chat.completions.create(model="throttled", messages=[{"role": "user", "content": "x"}]),
    )
    # LiteLLM's proxy answers Bedrock throttling with its RateLimitError's own type.
    assert e.body["type"] == "throttling_error", e.body


@case
def error_bedrock_validation():
    e = expect_error(
        openai.BadRequestError,
        400,
        lambda: client.chat.completions.create(model="invalid", messages=[{"role": "user", "content": "x"}]),
        # LiteLLM's wording: Bedrock's body quoted, then the router's model group.
        contains='BedrockException - {"message":"The model returned the following errors: bad input"}. Received Model Group=invalid',
    )
    assert e.code == "400", e.code


@case
def error_unsupported_param():
    # `drop_params` is off for this model: an OpenAI param the family does not take is refused.
    expect_error(
        openai.BadRequestError,
        400,
        lambda: client.chat.completions.create(
            model="claude", messages=[{"role": "user", "content": "x"}], logit_bias={"1": 1}
        ),
    )


@case
def error_mid_stream():
    stream = client.chat.completions.create(
        model="broken-stream", messages=[{"role": "user", "content": "x"}], stream=True
    )
    got = ""
    try:
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                got += chunk.choices[0].delta.content
    except openai.APIError as e:
        assert "the model stream broke" in str(e), str(e)
        assert got == "partial ", got
        return
    raise AssertionError("the stream error was not raised")


@case
def error_streaming_request_rejected_before_first_byte():
    expect_error(
        openai.RateLimitError,
        429,
        lambda: list(
            client.chat.completions.create(
                model="throttled", messages=[{"role": "user", "content": "x"}], stream=True
            )
        ),
    )


passed = failed = 0
for fn in CASES:
    try:
        fn()
        passed += 1
        print(f"ok {fn.__name__}")
    except Exception:
        failed += 1
        print(f"FAIL {fn.__name__}")
        traceback.print_exc(file=sys.stdout)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
