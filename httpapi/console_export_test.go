package httpapi

// Texts exposes the console's words to the external tests.
var Texts = texts

// LocalTime exposes the console's time format to the external tests.
var LocalTime = localTime
