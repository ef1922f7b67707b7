// Starts Swagger UI on the page served at /docs, with the gateway's own document. Served by the
// gateway like the Swagger UI files: the page loads nothing from anywhere else.
window.addEventListener('load', () => {
  window.ui = globalThis.SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    // BaseLayout: no top bar (whose box loads any URL); validatorUrl null: no badge from validator.swagger.io.
    layout: 'BaseLayout',
    validatorUrl: null,
  });
});
