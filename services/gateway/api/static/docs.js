// Swagger UI over this gateway's own OpenAPI document; every asset comes from the gateway itself.
window.addEventListener("DOMContentLoaded", function () {
  window.SwaggerUIBundle({
    url: "openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    // A token typed into "Authorize" lives only as long as the page: never written to storage.
    persistAuthorization: false,
    tryItOutEnabled: false,
  });
});
