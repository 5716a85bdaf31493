package httpapi

// Texts exposes the console's words to the external tests.
var Texts = texts
