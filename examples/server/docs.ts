import type { Router } from 'express';
import swaggerUi from 'swagger-ui-express';
import type { OpenAPIV3_1 } from 'openapi-types';

/**
 * Serves the document at `GET /openapi.json` and Swagger UI at `GET /docs`,
 * from the swagger-ui-dist package (no CDN). The page loads the document from
 * /openapi.json, so what the docs show is exactly what clients download.
 */
export function serveDocs(app: Router, document: OpenAPIV3_1.Document): void {
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  // serveFiles + setup with the same options, rather than serve + setup: `serve` shares
  // one module-wide page between every app in the process.
  const options: swaggerUi.SwaggerUiOptions = {
    // Relative to /docs/, so the pair still works mounted under a prefix.
    swaggerUrl: '../openapi.json',
    customSiteTitle: `${document.info.title} – docs`,
    swaggerOptions: { displayRequestDuration: true, persistAuthorization: false },
  };
  app.use('/docs', swaggerUi.serveFiles(undefined, options), swaggerUi.setup(undefined, options));
}
