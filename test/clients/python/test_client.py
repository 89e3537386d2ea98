"""The generated Python client against a running gateway.

test/e2e/clients.test.ts starts the gateway and runs this file with its address and an API key in the
environment (LLMGW_GRPC_ADDR, LLMGW_API_KEY) and gen/python on PYTHONPATH.
"""
import os
import unittest

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from llmgateway.v1 import completion_service_pb2 as cs
from llmgateway.v1 import completion_service_pb2_grpc as cs_grpc
from llmgateway.v1 import types_pb2 as t

ADDR = os.environ.get("LLMGW_GRPC_ADDR")
KEY = os.environ.get("LLMGW_API_KEY", "")
AUTH = [("authorization", f"Bearer {KEY}")]


def ask(text):
    return [t.Message(role=t.ROLE_USER, content=text)]


@unittest.skipUnless(ADDR, "run through test/e2e/clients.test.ts")
class GeneratedClientTest(unittest.TestCase):
    def setUp(self):
        self.channel = grpc.insecure_channel(ADDR)
        self.client = cs_grpc.CompletionServiceStub(self.channel)

    def tearDown(self):
        self.channel.close()

    def test_unary_complete(self):
        res = self.client.Complete(cs.CompleteRequest(model="local-echo", messages=ask("hello from Python")), metadata=AUTH, timeout=10)
        self.assertIn("hello from Python", res.completion.message.content)
        self.assertEqual(res.completion.provider, "local")
        self.assertGreater(res.completion.usage.input_tokens, 0)
        self.assertEqual(res.completion.finish_reason, t.FINISH_REASON_STOP)

    def test_stream_complete_to_the_end(self):
        text, final, deltas = "", None, 0
        for ev in self.client.StreamComplete(cs.StreamCompleteRequest(model="local-echo", messages=ask("stream this please"), max_tokens=40), metadata=AUTH, timeout=10):
            if ev.HasField("delta"):
                deltas += 1
                text += ev.delta.text
            elif ev.HasField("completion"):
                final = ev.completion
        self.assertGreater(deltas, 1)
        self.assertIsNotNone(final)
        self.assertEqual(final.message.content, text)

    def test_error_code_and_reason(self):
        with self.assertRaises(grpc.RpcError) as caught:
            self.client.Complete(cs.CompleteRequest(model="no-such-model", messages=ask("x")), metadata=AUTH, timeout=10)
        err = caught.exception
        self.assertEqual(err.code(), grpc.StatusCode.NOT_FOUND)
        reasons = []
        for detail in rpc_status.from_call(err).details:
            info = error_details_pb2.ErrorInfo()
            if detail.Unpack(info):
                reasons.append((info.domain, info.reason))
        self.assertIn(("llm-gateway", "MODEL_NOT_FOUND"), reasons)

    def reason_of(self, err):
        for detail in rpc_status.from_call(err).details:
            info = error_details_pb2.ErrorInfo()
            if detail.Unpack(info) and info.domain == "llm-gateway":
                return err.code(), info.reason, dict(info.metadata)
        return err.code(), "", {}

    def test_content_part_and_response_format(self):
        # A content part and a response format through the generated stubs: the local model echoes the text
        # part, a model that cannot take images refuses the part by name, and an echo is not the JSON asked for.
        parts = [t.ContentPart(text="what is in this picture?"), t.ContentPart(image=t.ImagePart(data=b"\x89PNG", media_type="image/png"))]
        msgs = [t.Message(role=t.ROLE_USER, parts=parts)]
        res = self.client.Complete(cs.CompleteRequest(model="local-all", messages=msgs), metadata=AUTH, timeout=10)
        self.assertIn("what is in this picture?", res.completion.message.content)
        with self.assertRaises(grpc.RpcError) as caught:
            self.client.Complete(cs.CompleteRequest(model="local-echo", messages=msgs), metadata=AUTH, timeout=10)
        self.assertEqual(
            self.reason_of(caught.exception),
            (grpc.StatusCode.INVALID_ARGUMENT, "CAPABILITY_UNSUPPORTED", {"model": "local-echo", "capability": "vision", "field": "messages[0].parts[1]"}),
        )
        fmt = t.ResponseFormat(json_object=t.JsonObjectFormat())
        with self.assertRaises(grpc.RpcError) as caught:
            self.client.Complete(cs.CompleteRequest(model="local-all", messages=ask("answer in JSON"), response_format=fmt), metadata=AUTH, timeout=10)
        code, reason, _ = self.reason_of(caught.exception)
        self.assertEqual((code, reason), (grpc.StatusCode.UNAVAILABLE, "INVALID_OUTPUT"))

    def test_deadline(self):
        # The local model streams a token every 15 ms: 300 of them cannot fit in 0.15 s.
        with self.assertRaises(grpc.RpcError) as caught:
            for _ in self.client.StreamComplete(cs.StreamCompleteRequest(model="local-echo", messages=ask("word " * 400), max_tokens=300), metadata=AUTH, timeout=0.15):
                pass
        self.assertEqual(caught.exception.code(), grpc.StatusCode.DEADLINE_EXCEEDED)

    def test_auth(self):
        with self.assertRaises(grpc.RpcError) as caught:
            self.client.Complete(cs.CompleteRequest(model="local-echo", messages=ask("x")), timeout=10)
        self.assertEqual(caught.exception.code(), grpc.StatusCode.UNAUTHENTICATED)


if __name__ == "__main__":
    unittest.main()
