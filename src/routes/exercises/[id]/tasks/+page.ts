// Live page (WebSocket to the control document); nothing useful to render on the server.
export const ssr = false;
