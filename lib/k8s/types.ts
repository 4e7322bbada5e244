// Pure types, shared by the kubeconfig parser, the "URL + token" form and the client.

/** Everything the portal needs to reach one API server; PEM blocks already decoded. */
export type ClusterCredentials = {
  server: string;
  caData?: string;
  token?: string;
  clientCertData?: string;
  clientKeyData?: string;
  tlsServerName?: string;
};

/** A validation failure that names the offending field and never carries its value. */
export type FieldError = { ok: false; field: string; message: string };
