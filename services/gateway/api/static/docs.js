// Swagger UI over this gateway's own OpenAPI document; every asset comes from the gateway itself.
window.addEventListener("DOMContentLoaded", function () {
  window.SwaggerUIBundle({
    url: "openapi.json",
    dom_id: "#swagger-ui",
    // No deep links: Swagger UI puts the link inside the operation's button, a control nested in a control.
    deepLinking: false,
    // A token typed into "Authorize" lives only as long as the page: never written to storage.
    persistAuthorization: false,
    tryItOutEnabled: false,
  });
});
