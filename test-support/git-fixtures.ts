// A realistic fleet configuration repository: plain YAML an infrastructure
// Kustomization and an apps Kustomization (targetNamespace) can apply, with
// history, a tag and a second branch.
import type { GitAuth, GitServer, Repo } from "./git-server";

export type SampleRepo = {
  repo: Repo;
  /** main: infrastructure, then podinfo (tagged v1.0.0), then a message bump (head of main). apps/frontend's image moves from 6.5.0 to 6.6.0 with the bump. */
  commits: { infrastructure: string; podinfo: string; bump: string; staging: string };
  tag: "v1.0.0";
  /** Branch forked from the v1.0.0 commit, with one commit of its own. */
  stagingBranch: "staging";
  /** The podinfo ConfigMap's data.message at the head of main. */
  message: string;
};

export const infrastructureFiles = (): Record<string, string> => ({
  "infrastructure/namespace.yaml": [
    "apiVersion: v1",
    "kind: Namespace",
    "metadata:",
    "  name: podinfo",
    "  labels:",
    "    toolkit.fluxcd.io/tenant: apps",
    "",
  ].join("\n"),
  "infrastructure/cluster-settings.yaml": [
    "apiVersion: v1",
    "kind: ConfigMap",
    "metadata:",
    "  name: cluster-settings",
    "  namespace: podinfo",
    "data:",
    "  region: eu-west-1",
    "  environment: test",
    "",
  ].join("\n"),
});

/** podinfo without namespaces: the Kustomization's targetNamespace places them. */
export const podinfoFiles = (message: string): Record<string, string> => ({
  "apps/podinfo/configmap.yaml": [
    "apiVersion: v1",
    "kind: ConfigMap",
    "metadata:",
    "  name: podinfo-config",
    "  labels:",
    "    app.kubernetes.io/name: podinfo",
    "data:",
    `  message: ${JSON.stringify(message)}`,
    "  replicas: \"2\"",
    "",
  ].join("\n"),
  "apps/podinfo/service.yaml": [
    "apiVersion: v1",
    "kind: Service",
    "metadata:",
    "  name: podinfo",
    "  labels:",
    "    app.kubernetes.io/name: podinfo",
    "spec:",
    "  type: ClusterIP",
    "  selector:",
    "    app.kubernetes.io/name: podinfo",
    "  ports:",
    "    - name: http",
    "      port: 9898",
    "      protocol: TCP",
    "      targetPort: http",
    "",
  ].join("\n"),
});

/** The podinfo image the frontend Deployment runs at each commit of main. */
export const FRONTEND_IMAGE = { podinfo: "ghcr.io/stefanprodan/podinfo:6.5.0", bump: "ghcr.io/stefanprodan/podinfo:6.6.0" } as const;
export const FRONTEND_INIT_IMAGE = "busybox:1.36";

/**
 * A workload with images, for the Versions page: a Deployment running podinfo (6.5.0 at the
 * v1.0.0 tag, 6.6.0 at the head of main) with an init container. In its own path so the podinfo
 * Kustomizations other tests count stay as they were.
 */
export const frontendFiles = (image: string): Record<string, string> => ({
  "apps/frontend/deployment.yaml": [
    "apiVersion: apps/v1",
    "kind: Deployment",
    "metadata:",
    "  name: frontend",
    "  labels:",
    "    app.kubernetes.io/name: frontend",
    "spec:",
    "  replicas: 1",
    "  selector:",
    "    matchLabels:",
    "      app.kubernetes.io/name: frontend",
    "  template:",
    "    metadata:",
    "      labels:",
    "        app.kubernetes.io/name: frontend",
    "    spec:",
    "      initContainers:",
    "        - name: wait",
    `          image: ${FRONTEND_INIT_IMAGE}`,
    "          command: [\"true\"]",
    "      containers:",
    "        - name: podinfod",
    `          image: ${image}`,
    "          ports:",
    "            - name: http",
    "              containerPort: 9898",
    "",
  ].join("\n"),
});

export async function createSampleRepo(
  git: GitServer,
  name = "fleet-config",
  opts: { auth?: GitAuth; acceptPushes?: boolean } = {},
): Promise<SampleRepo> {
  const repo = await git.createRepo(name, {
    ...opts,
    files: { "README.md": "# Fleet configuration\n\nManaged by Flux.\n" },
  });
  const infrastructure = await git.commit(name, infrastructureFiles(), "Add infrastructure");
  const podinfo = await git.commit(name, { ...podinfoFiles("hello from v1"), ...frontendFiles(FRONTEND_IMAGE.podinfo) }, "Add podinfo");
  await git.tag(name, "v1.0.0", podinfo);
  await git.moveBranch(name, "staging", podinfo);
  const staging = await git.commit(name, podinfoFiles("hello from staging"), "Staging: new message", "staging");
  const message = "hello from v2";
  const bump = await git.commit(name, { ...podinfoFiles(message), ...frontendFiles(FRONTEND_IMAGE.bump) }, "podinfo: bump message");
  return { repo, commits: { infrastructure, podinfo, bump, staging }, tag: "v1.0.0", stagingBranch: "staging", message };
}
