// Package wire is the wire format of the original SpecialVFX@Cloud API, in
// one place for the three programs that speak it: the worker decodes
// requests and encodes answers with it, the load balancer decodes requests
// with it (so that it refuses a bad request exactly as a worker would, and
// predicts the cost of a good one from its features), and the client builds
// requests and reads answers with it.
//
// Requests: the query parameters of POST /raytracer (split and unescaped as
// the original did; every refusal says which parameter is wrong and what it
// means), its JSON body {"scene": ..., "texmap": [...]} (a scanner rather
// than encoding/json: a texture is a million numbers), and the data-URL
// bodies of POST /blurimage and /enhanceimage. Decoding is in steps, so that
// a server reserves memory before each: Prepare checks the query and the
// body's structure, allocating next to nothing, and tells what decoding the
// header may allocate (Prepared.Memory); DecodeHeader reads what routing
// and admission need, the scene with its texture known by its header and
// the image's header, streaming a texture or an image once from its JSON
// numbers or base64, in place, through the input hash and the header
// reader, never holding it whole; Request.DecodePixels then decodes the
// texture's pixels or the image's bytes for the worker. Decode is the three
// in a row. They give a Request with its workload.Features and InputHash,
// within Limits; a refusal is a *RequestError carrying the HTTP status to
// answer (StatusOf) and a one-line message, and the features read before
// the error are returned with it, for the record of the refused request.
// RaytraceParams.Query, RaytraceBody and ImageBody build the same requests.
//
// Answers: the original's data URL, or the raw image when the client asks
// for it with Accept: image/* or ?output=raw (Negotiate, EncodeResponse,
// and ResponseMemory, what encoding one may allocate);
// ReadResponse reads either form back. An error answer is one line of text
// (ErrorBody, ErrorMessage). The headers the worker, the load balancer and
// the client exchange beyond the original (the client's and the server's
// request ids, the attempt number, predicted and measured cost) are named
// here too, with their parsers.
//
// Functions take plain values (a raw query string, an Accept header, body
// bytes), never an *http.Request. The package must not import net/http, the
// worker, load balancer, client, metrics or provider packages, os/exec or a
// cloud SDK.
package wire
