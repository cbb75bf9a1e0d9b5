"""What goes in and what comes out, one module per resource: input schemas check every request
(the API's and the pages' alike), output schemas shape every answer and type the OpenAPI document."""
