import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { validateConfig } from "../../src/config/load.js";

/** Docker does not run here: these read the deployment files and check that they agree with each other and with the config. */
const root = new URL("../../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), "utf8");
// biome-ignore lint/suspicious/noExplicitAny: Kubernetes manifests are walked freely here, and a wrong path fails the test anyway.
const yaml = (path: string) => parse(read(path)) as Record<string, any>;

const deployment = yaml("deploy/kubernetes/deployment.yaml");
const service = yaml("deploy/kubernetes/service.yaml");
const configMap = yaml("deploy/kubernetes/configmap.yaml");
const hpa = yaml("deploy/kubernetes/hpa.yaml");
const secret = yaml("deploy/kubernetes/secret.example.yaml");
const container = deployment["spec"].template.spec.containers[0];
const env = Object.fromEntries((container.env as { name: string; value?: string }[]).map((e) => [e.name, e]));
const port = (name: string) => (container.ports as { name: string; containerPort: number }[]).find((p) => p.name === name)!.containerPort;

describe("Kubernetes manifests", () => {
  const configPath = String(env["LLM_GATEWAY_CONFIG"]?.value);
  const gatewayYaml: string = configMap["data"][configPath.split("/").at(-1)!];
  const config = validateConfig(parse(gatewayYaml), { OPENAI_API_KEY: "sk-x", PLATFORM_API_KEY: "k" }, "configmap");

  it("mount a ConfigMap whose gateway.yaml is a valid configuration, where LLM_GATEWAY_CONFIG points", () => {
    const mount = (container.volumeMounts as { name: string; mountPath: string }[])[0]!;
    expect(configPath.startsWith(`${mount.mountPath}/`)).toBe(true);
    const volume = (deployment["spec"].template.spec.volumes as { name: string; configMap: { name: string } }[]).find(
      (v) => v.name === mount.name,
    );
    expect(volume?.configMap.name).toBe(configMap["metadata"].name);
    expect(config.cache.store).toBe("redis");
    expect(config.auth.tenants[0]?.admin).toBe(true);
  });

  it("open the ports the configuration listens on, and probe gRPC health on the gRPC one", () => {
    expect(port("grpc")).toBe(config.server.grpcPort);
    expect(port("http")).toBe(config.server.httpPort);
    for (const probe of ["readinessProbe", "livenessProbe", "startupProbe"])
      expect(container[probe].grpc.port).toBe(config.server.grpcPort);
    expect(deployment["spec"].template.metadata.annotations["prometheus.io/port"]).toBe(String(config.server.httpPort));
  });

  it("give Kubernetes longer to stop a pod than the gateway's own shutdown grace", () => {
    expect(deployment["spec"].template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(config.server.shutdownGraceMs);
  });

  it("take every secret the Deployment reads from the Secret it names", () => {
    for (const e of container.env as { valueFrom?: { secretKeyRef: { name: string; key: string } } }[]) {
      if (!e.valueFrom) continue;
      expect(e.valueFrom.secretKeyRef.name).toBe(secret["metadata"].name);
      expect(Object.keys(secret["stringData"])).toContain(e.valueFrom.secretKeyRef.key);
    }
  });

  it("route the Service to the Deployment's pods and ports, and scale the Deployment", () => {
    expect(service["spec"].selector).toEqual(deployment["spec"].template.metadata.labels);
    expect(deployment["spec"].selector.matchLabels).toEqual(deployment["spec"].template.metadata.labels);
    const names = (container.ports as { name: string }[]).map((p) => p.name);
    for (const p of service["spec"].ports as { targetPort: string; port: number; name: string }[]) {
      expect(names).toContain(p.targetPort);
      expect(p.port).toBe(port(p.targetPort));
    }
    expect(hpa["spec"].scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: deployment["metadata"].name });
    expect(hpa["spec"].minReplicas).toBeGreaterThanOrEqual(2);
  });
});

describe("Docker", () => {
  const dockerfile = read("Dockerfile");
  const compose = yaml("docker-compose.yml");
  const envOf = (name: string) => dockerfile.match(new RegExp(`${name}=(\\d+)`))?.[1];

  it("exposes the ports the image listens on, and checks health with grpc.health.v1", () => {
    const exposed = dockerfile
      .match(/^EXPOSE (.+)$/m)?.[1]
      ?.split(/\s+/)
      .map(Number);
    expect(exposed).toEqual([Number(envOf("LLM_GATEWAY_GRPC_PORT")), Number(envOf("LLM_GATEWAY_HTTP_PORT"))]);
    expect(dockerfile).toMatch(/HEALTHCHECK[\s\S]*grpc\.health\.v1\.Health\/Check/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toContain("npm ci --omit=dev");
  });

  it("compose publishes those ports and points every store at its Redis service", () => {
    const gw = compose["services"].gateway;
    const published = (gw.ports as string[]).map((p) => Number(p.split(":")[1]?.split(/\s/)[0]));
    expect(published).toEqual([Number(envOf("LLM_GATEWAY_GRPC_PORT")), Number(envOf("LLM_GATEWAY_HTTP_PORT"))]);
    const redisHost = new URL(gw.environment.LLM_GATEWAY_REDIS_URL).hostname;
    expect(Object.keys(compose["services"])).toContain(redisHost);
    expect(gw.depends_on[redisHost].condition).toBe("service_healthy");
    for (const store of ["CACHE", "SESSION", "USAGE"]) expect(gw.environment[`LLM_GATEWAY_${store}_STORE`]).toBe("redis");
  });
});

it("every manifest is one YAML document that parses", () => {
  for (const f of ["deployment", "service", "configmap", "hpa", "secret.example"]) {
    const docs = parseAllDocuments(read(`deploy/kubernetes/${f}.yaml`));
    expect(docs).toHaveLength(1);
    expect(docs[0]!.errors).toEqual([]);
  }
});
