/**
 * The parts of OpenAPI 3.1 (https://spec.openapis.org/oas/v3.1.0) this
 * library writes. Deliberately small: the fields a route description needs,
 * with `x-` extensions allowed; anything else belongs in your own types.
 */

/** A JSON Schema (2020-12, the dialect of OpenAPI 3.1). */
export type JsonSchema = { [keyword: string]: unknown };

/** A Header Object. */
export interface OpenApiHeader {
  description?: string;
  required?: boolean;
  schema: JsonSchema;
}

/** A Media Type Object. */
export interface OpenApiMediaType {
  schema?: JsonSchema;
  example?: unknown;
}

/** A Response Object. */
export interface OpenApiResponse {
  description: string;
  headers?: Record<string, OpenApiHeader>;
  content?: Record<string, OpenApiMediaType>;
}

/** A Request Body Object. */
export interface OpenApiRequestBody {
  description?: string;
  required?: boolean;
  content: Record<string, OpenApiMediaType>;
}

/** A Parameter Object. */
export interface OpenApiParameter {
  name: string;
  in: 'query' | 'header' | 'path' | 'cookie';
  description?: string;
  required?: boolean;
  schema?: JsonSchema;
}

/** A Security Requirement Object: scheme name → scopes needed. */
export type OpenApiSecurityRequirement = Record<string, string[]>;

/** An Operation Object. */
export interface OpenApiOperation {
  summary?: string;
  description?: string;
  operationId?: string;
  tags?: string[];
  parameters?: OpenApiParameter[];
  requestBody?: OpenApiRequestBody;
  responses?: Record<string, OpenApiResponse>;
  security?: OpenApiSecurityRequirement[];
  deprecated?: boolean;
  [extension: `x-${string}`]: unknown;
}

/** The HTTP methods a Path Item Object may describe. */
export type OpenApiMethod = 'get' | 'put' | 'post' | 'delete' | 'options' | 'head' | 'patch' | 'trace';

/** A Path Item Object. */
export type OpenApiPathItem = { [method in OpenApiMethod]?: OpenApiOperation } & {
  summary?: string;
  description?: string;
  parameters?: OpenApiParameter[];
};

/** The OAuth2 password-flow Security Scheme Object (RFC 6749 §4.3, refresh §6). */
export interface OAuth2PasswordScheme {
  type: 'oauth2';
  description: string;
  flows: {
    password: {
      tokenUrl: string;
      refreshUrl: string;
      /** Scope → description. */
      scopes: Record<string, string>;
    };
  };
}

/** An Info Object. */
export interface OpenApiInfo {
  title: string;
  version: string;
  summary?: string;
  description?: string;
}

/** A Server Object. */
export interface OpenApiServer {
  url: string;
  description?: string;
}

/** The whole OpenAPI 3.1 document. */
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: OpenApiInfo;
  servers?: OpenApiServer[];
  paths: Record<string, OpenApiPathItem>;
  components: {
    securitySchemes: Record<string, OAuth2PasswordScheme>;
    schemas: Record<string, JsonSchema>;
  };
  tags?: { name: string; description?: string }[];
}
