// The generated Go client against a running gateway. test/e2e/clients.test.ts starts the gateway
// and runs `go test` with its address and an API key in the environment.
package client_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	llmgatewayv1 "github.com/llm-gateway/llm-gateway/gen/go/llmgateway/v1"
	"github.com/llm-gateway/llm-gateway/gen/go/llmgateway/v1/llmgatewayv1connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

func env(t *testing.T, name string) string {
	v := os.Getenv(name)
	if v == "" {
		t.Skipf("%s is not set: run through test/e2e/clients.test.ts", name)
	}
	return v
}

func client(t *testing.T) (llmgatewayv1.CompletionServiceClient, context.Context) {
	conn, err := grpc.NewClient(env(t, "LLMGW_GRPC_ADDR"), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+env(t, "LLMGW_API_KEY"))
	return llmgatewayv1.NewCompletionServiceClient(conn), ctx
}

func ask(text string) []*llmgatewayv1.Message {
	return []*llmgatewayv1.Message{{Role: llmgatewayv1.Role_ROLE_USER, Content: text}}
}

func TestUnaryComplete(t *testing.T) {
	c, ctx := client(t)
	res, err := c.Complete(ctx, &llmgatewayv1.CompleteRequest{Model: "local-echo", Messages: ask("hello from Go")})
	if err != nil {
		t.Fatal(err)
	}
	got := res.GetCompletion()
	if !strings.Contains(got.GetMessage().GetContent(), "hello from Go") || got.GetProvider() != "local" {
		t.Fatalf("unexpected completion: %v", got)
	}
	if got.GetUsage().GetInputTokens() == 0 || got.GetFinishReason() != llmgatewayv1.FinishReason_FINISH_REASON_STOP {
		t.Fatalf("no usage or finish reason: %v", got)
	}
}

func TestStreamCompleteToTheEnd(t *testing.T) {
	c, ctx := client(t)
	stream, err := c.StreamComplete(ctx, &llmgatewayv1.StreamCompleteRequest{Model: "local-echo", Messages: ask("stream this please"), MaxTokens: proto32(40)})
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	var final *llmgatewayv1.Completion
	deltas := 0
	for {
		ev, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if d := ev.GetDelta(); d != nil {
			deltas++
			text.WriteString(d.GetText())
		}
		if c := ev.GetCompletion(); c != nil {
			final = c
		}
	}
	if deltas < 2 || final == nil || final.GetMessage().GetContent() != text.String() {
		t.Fatalf("deltas %d, final %v, text %q", deltas, final, text.String())
	}
}

func TestErrorCodeAndReason(t *testing.T) {
	c, ctx := client(t)
	_, err := c.Complete(ctx, &llmgatewayv1.CompleteRequest{Model: "no-such-model", Messages: ask("x")})
	st := status.Convert(err)
	if st.Code() != codes.NotFound {
		t.Fatalf("code %v, want NotFound", st.Code())
	}
	reason := ""
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok && info.GetDomain() == "llm-gateway" {
			reason = info.GetReason()
		}
	}
	if reason != "MODEL_NOT_FOUND" {
		t.Fatalf("reason %q, want MODEL_NOT_FOUND", reason)
	}
}

// reasonOf is the gateway's ErrorInfo reason and metadata of a failed call.
func reasonOf(err error) (codes.Code, string, map[string]string) {
	st := status.Convert(err)
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok && info.GetDomain() == "llm-gateway" {
			return st.Code(), info.GetReason(), info.GetMetadata()
		}
	}
	return st.Code(), "", nil
}

// A content part and a response format travel through the generated stubs: the image is weighed in the
// prompt's tokens, a model that cannot take it refuses it by name, and an answer that is not the JSON
// asked for is never passed off as such (the local model echoes text, which is not JSON).
func TestContentPartAndResponseFormat(t *testing.T) {
	c, ctx := client(t)
	image := &llmgatewayv1.ContentPart{Part: &llmgatewayv1.ContentPart_Image{Image: &llmgatewayv1.ImagePart{Url: "https://example.com/cat.png"}}}
	text := &llmgatewayv1.ContentPart{Part: &llmgatewayv1.ContentPart_Text{Text: "what is in this picture?"}}
	msgs := []*llmgatewayv1.Message{{Role: llmgatewayv1.Role_ROLE_USER, Parts: []*llmgatewayv1.ContentPart{text, image}}}
	res, err := c.Complete(ctx, &llmgatewayv1.CompleteRequest{Model: "local-all", Messages: msgs})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.GetCompletion().GetMessage().GetContent(), "what is in this picture?") {
		t.Fatalf("the text part did not arrive: %v", res.GetCompletion().GetMessage())
	}
	_, err = c.Complete(ctx, &llmgatewayv1.CompleteRequest{Model: "local-echo", Messages: msgs})
	if code, reason, meta := reasonOf(err); code != codes.InvalidArgument || reason != "CAPABILITY_UNSUPPORTED" || meta["field"] != "messages[0].parts[1]" {
		t.Fatalf("got %v %q %v, want InvalidArgument CAPABILITY_UNSUPPORTED for messages[0].parts[1]", code, reason, meta)
	}
	format := &llmgatewayv1.ResponseFormat{Format: &llmgatewayv1.ResponseFormat_JsonSchema{JsonSchema: &llmgatewayv1.JsonSchemaFormat{
		Name: "answer", SchemaJson: `{"type":"object","required":["answer"]}`, Strict: true,
	}}}
	_, err = c.Complete(ctx, &llmgatewayv1.CompleteRequest{Model: "local-all", Messages: ask("answer in JSON"), ResponseFormat: format})
	if code, reason, _ := reasonOf(err); code != codes.Unavailable || reason != "INVALID_OUTPUT" {
		t.Fatalf("got %v %q, want Unavailable INVALID_OUTPUT", code, reason)
	}
}

func TestDeadline(t *testing.T) {
	c, ctx := client(t)
	ctx, cancel := context.WithTimeout(ctx, 150*time.Millisecond)
	defer cancel()
	// The local model streams a token every 15 ms: 300 of them cannot fit in 150 ms.
	stream, err := c.StreamComplete(ctx, &llmgatewayv1.StreamCompleteRequest{Model: "local-echo", Messages: ask(strings.Repeat("word ", 400)), MaxTokens: proto32(300)})
	for err == nil {
		_, err = stream.Recv()
	}
	if status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("got %v, want DeadlineExceeded", err)
	}
}

func TestAuth(t *testing.T) {
	conn, err := grpc.NewClient(env(t, "LLMGW_GRPC_ADDR"), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c := llmgatewayv1.NewCompletionServiceClient(conn)
	_, err = c.Complete(context.Background(), &llmgatewayv1.CompleteRequest{Model: "local-echo", Messages: ask("x")})
	if status.Code(err) != codes.Unauthenticated {
		t.Fatalf("without a key: %v, want Unauthenticated", err)
	}
}

func TestConnectGoOverHTTP1(t *testing.T) {
	c := llmgatewayv1connect.NewCompletionServiceClient(http.DefaultClient, env(t, "LLMGW_HTTP_URL"), connect.WithGRPCWeb())
	req := connect.NewRequest(&llmgatewayv1.ListModelsRequest{})
	req.Header().Set("x-api-key", env(t, "LLMGW_API_KEY"))
	res, err := c.ListModels(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if res.Msg.GetDefaultModel() != "local-echo" {
		t.Fatalf("default model %q", res.Msg.GetDefaultModel())
	}
}

func proto32(v int32) *int32 { return &v }
