// Starts GraphiQL against this server's /graphql. A separate file rather than an inline script, so
// the page's Content-Security-Policy can allow scripts from 'self' only.
(function () {
  "use strict";
  var fetcher = GraphiQL.createFetcher({ url: "/graphql" });
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      // The Headers tab is where a signed-in call puts {"Authorization": "Bearer <token>"}.
      defaultEditorToolsVisibility: true,
    })
  );
})();
