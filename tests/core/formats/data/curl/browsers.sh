# Browser "Copy as cURL" forms. chrome/*: the inputs of Chromium's devtools web test
# copy-network-request.js (BSD-3-Clause), written with Chrome's generateCurlCommand escaping
# (escapeStringPosix) for requests to the test server. firefox/*: Firefox's curl.js (MPL-2.0)
# escaping and layout. safari/* and chrome-new/*: written by hand in those browsers' layouts.
# See README.md for the entry format.

### chrome/get
#: origin Chromium devtools web test copy-network-request.js input 'get', in Chrome's Copy as cURL (bash) form
curl 'http://localhost:28139/path'

### chrome/data-123
#: origin Chromium devtools web test copy-network-request.js input 'data-123', in Chrome's Copy as cURL (bash) form
curl 'http://localhost:28139/path' --data-raw '123'

### chrome/form
#: origin Chromium devtools web test copy-network-request.js input 'form', in Chrome's Copy as cURL (bash) form
curl 'http://localhost:28139/path' \
  -H 'Content-Type: application/x-www-form-urlencoded' \
  --data-raw '1&b'

### chrome/json
#: origin Chromium devtools web test copy-network-request.js input 'json', in Chrome's Copy as cURL (bash) form
curl 'http://localhost:28139/path' \
  -H 'Content-Type: application/json' \
  --data-raw '{"a":1}'

### chrome/binary-quotes
#: origin Chromium devtools web test copy-network-request.js input 'binary-quotes', in Chrome's Copy as cURL (bash) form
curl 'http://localhost:28139/path' \
  -H 'Content-Type: application/binary' \
  --data-raw $'1234\r\n00\u0002\u0003\u0004\u0005\'"\u0021'

### chrome/binary-control
#: origin Chromium devtools web test copy-network-request.js input 'binary-control', in Chrome's Copy as cURL (bash) form
curl 'http://localhost:28139/path' \
  -H 'Content-Type: application/binary' \
  --data-raw $'1234\r\n\u000100\u0002\u0003\u0004\u0005\'"\u0021'

### chrome/binary-percent-os
#: origin Chromium devtools web test copy-network-request.js input 'binary-percent-os', in Chrome's Copy as cURL (bash) form
curl 'http://localhost:28139/path' \
  -H 'Content-Type: application/binary' \
  --data-raw $'%OS%\r\n%%OS%%\r\n"\\"\'$&\u0021'

### chrome/binary-keyboard
#: origin Chromium devtools web test copy-network-request.js input 'binary-keyboard', in Chrome's Copy as cURL (bash) form
curl 'http://localhost:28139/path' \
  -H 'Content-Type: application/binary' \
  --data-raw $'\u0021@#$%^&*()_+~`1234567890-=[]{};\':",./\r<>?\r\nqwer\nt\n\nyuiopasdfghjklmnbvcxzQWERTYUIOPLKJHGFDSAZXCVBNM'

### chrome/binary-high
#: origin Chromium devtools web test copy-network-request.js input 'binary-high', in Chrome's Copy as cURL (bash) form
curl 'http://localhost:28139/path' \
  -H 'Content-Type: application/binary' \
  --data-raw $'\u007f\u0080\u0090ÿ\u0009܀'

### chrome/url-brackets
#: origin Chromium devtools web test copy-network-request.js input 'url-brackets', in Chrome's Copy as cURL (bash) form
#: differs target
# The import keeps ?querystring=[]{} as curl sends it; our HTTP client (urllib3) percent-encodes
# [ ] { } in a query, so the target differs there (tests/core/formats/test_curl.py checks the URL).
curl 'http://localhost:28139/?querystring=\[\]\{\}'

### chrome/percent-path
#: origin Chromium devtools web test copy-network-request.js input 'percent-path', in Chrome's Copy as cURL (bash) form
curl 'http://localhost:28139/path' \
  -H 'Content-Type: application/binary' \
  --data-raw '%PATH%$PATH'

### chrome/pseudo-headers
#: origin Chromium devtools web test copy-network-request.js input 'pseudo-headers', in Chrome's Copy as cURL (bash) form
curl 'http://localhost:28139/path'

### chrome/cookie
#: origin Chromium devtools web test copy-network-request.js input 'cookie', in Chrome's Copy as cURL (bash) form
curl 'http://localhost:28139/path' -H 'Cookie: _x=fdsfs; aA=fdsfdsf; FOO=ID=BAR:BAZ=FOO:F=d:AO=21.212.2.212-:A=dsadas8d9as8d9a8sd9sa8d9a; AAA=117'

### chrome/at-file-data
#: origin Chromium devtools web test copy-network-request.js input 'at-file-data', in Chrome's Copy as cURL (bash) form
curl 'http://localhost:28139/path' \
  -H 'Content-Type: application/x-www-form-urlencoded' \
  --data-raw '@/etc/passwd'

### chrome/referer
#: origin Chromium devtools web test copy-network-request.js input 'referer', in Chrome's Copy as cURL (bash) form
curl 'http://localhost:28139/path' -H 'Referer: https://example.com'

### chrome/no-value-header
#: origin Chromium devtools web test copy-network-request.js input 'no-value-header', in Chrome's Copy as cURL (bash) form
curl 'http://localhost:28139/path' -H 'No-Value-Header;'

### chrome/percent-os-lf
#: origin Chromium devtools web test copy-network-request.js input 'percent-os-lf', in Chrome's Copy as cURL (bash) form
curl 'http://localhost:28139/path' \
  -H 'Content-Type: application/binary' \
  --data-raw $'%OS%\n%%OS%%\n"\\"\'$&\u0021'

### chrome/json-multiline
#: origin Chromium devtools web test copy-network-request.js input 'json-multiline', in Chrome's Copy as cURL (bash) form
curl 'http://localhost:28139/path' \
  -H 'Content-Type: application/json' \
  -H 'Accept: application/json' \
  --data-raw $'{\n  "name": "café ’s",\n  "tags": ["a&b", "50%"]\n}'

### firefox/page
#: origin Firefox devtools 'Copy as cURL' form (devtools/client/shared/curl.js, 2018, MPL-2.0) for this request
curl 'http://localhost:28139/docs/?lang=en&q=rate%20limits' -H 'User-Agent: Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0' -H 'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8' -H 'Accept-Language: en-US,en;q=0.5' --compressed -H 'Connection: keep-alive' -H 'Referer: http://localhost:28139/' -H 'Cookie: theme=dark; session=3f2a9c' -H 'Upgrade-Insecure-Requests: 1' -H 'Sec-Fetch-Dest: document' -H 'Sec-Fetch-Mode: navigate' -H 'Sec-Fetch-Site: same-origin' -H 'Sec-Fetch-User: ?1'

### firefox/login-form
#: origin Firefox devtools 'Copy as cURL' form (devtools/client/shared/curl.js, 2018, MPL-2.0) for this request
curl 'http://localhost:28139/login' -H 'User-Agent: Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0' -H 'Accept: */*' -H 'Accept-Language: en-US,en;q=0.5' --compressed -H 'Content-Type: application/x-www-form-urlencoded' -H 'Origin: http://localhost:28139' -H 'Connection: keep-alive' --data 'user=ada%40example.com&remember=on&x=1'

### firefox/json-apostrophe
#: origin Firefox devtools 'Copy as cURL' form (devtools/client/shared/curl.js, 2018, MPL-2.0) for this request
#: reported bytes of a $'…' string that are not UTF-8 were replaced
#: differs body
# This Firefox wrote é as \xe9, a Latin-1 byte bash passes as is; a request body is text, so
# the import cannot carry that byte and says so.
curl 'http://localhost:28139/api/notes' -H 'User-Agent: Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0' -H 'Accept: */*' -H 'Accept-Language: en-US,en;q=0.5' --compressed -H 'Content-Type: application/json' -H 'X-Requested-With: XMLHttpRequest' -H 'Origin: http://localhost:28139' -H 'Connection: keep-alive' --data $'{"title":"Ada\'s note","body":"caf\xe9 \u2014 \u2019quoted\u2019"}'

### firefox/put
#: origin Firefox devtools 'Copy as cURL' form (devtools/client/shared/curl.js, 2018, MPL-2.0) for this request
curl 'http://localhost:28139/api/notes/7' -X PUT -H 'User-Agent: Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0' -H 'Accept: */*' -H 'Accept-Language: en-US,en;q=0.5' --compressed -H 'Content-Type: application/json;charset=utf-8' -H 'Connection: keep-alive' --data '{"done":true}'

### firefox/head
#: origin Firefox devtools 'Copy as cURL' form (devtools/client/shared/curl.js, 2018, MPL-2.0) for this request
curl 'http://localhost:28139/files/report.pdf' -I -H 'User-Agent: Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0' -H 'Accept: */*' -H 'Accept-Language: en-US,en;q=0.5' --compressed -H 'Connection: keep-alive'

### firefox/delete
#: origin Firefox devtools 'Copy as cURL' form (devtools/client/shared/curl.js, 2018, MPL-2.0) for this request
curl 'http://localhost:28139/api/notes/7' -X DELETE -H 'User-Agent: Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0' -H 'Accept: */*' -H 'Accept-Language: en-US,en;q=0.5' --compressed -H 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl' -H 'Connection: keep-alive'

### firefox/patch-tab-and-newline
#: origin Firefox devtools 'Copy as cURL' form (devtools/client/shared/curl.js, 2018, MPL-2.0) for this request
curl 'http://localhost:28139/api/notes/7' -X PATCH -H 'User-Agent: Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0' -H 'Accept: */*' -H 'Accept-Language: en-US,en;q=0.5' --compressed -H 'Content-Type: text/plain;charset=UTF-8' --data $'line one\n\x09line two'

### safari/json-post
#: origin written by hand in the layout of Safari Web Inspector's Copy as cURL (one option per line, -X, -H per header, --data-binary)
curl 'http://localhost:28139/api/v2/orders?expand=items' \
-X 'POST' \
-H 'Content-Type: application/json' \
-H 'Accept: application/json' \
-H 'Origin: http://localhost:28139' \
-H 'User-Agent: Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15' \
-H 'Accept-Language: en-GB,en;q=0.9' \
--data-binary '{"sku":"A-1","qty":2,"note":"gift wrap, please"}'

### safari/get-with-cookie
#: origin written by hand in the layout of Safari Web Inspector's Copy as cURL
curl 'http://localhost:28139/account' \
-X 'GET' \
-H 'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' \
-H 'Cookie: sid=s%3Aabc.def; prefs=%7B%22tz%22%3A%22UTC%22%7D' \
-H 'Accept-Encoding: gzip, deflate' \
-H 'Referer: http://localhost:28139/'

### safari/form-post
#: origin written by hand in the layout of Safari Web Inspector's Copy as cURL (--data for urlencoded bodies)
curl 'http://localhost:28139/search' \
-X 'POST' \
-H 'Content-Type: application/x-www-form-urlencoded' \
--data 'q=caf%C3%A9+prices&page=2&sort=-date'

### chrome-new/graphql-with-cookies
#: origin written by hand in the layout of current Chrome's Copy as cURL (bash): -b for cookies, lower-case header names, --data-raw
curl 'http://localhost:28139/graphql' \
  -H 'accept: application/graphql-response+json, application/json' \
  -H 'accept-language: en-US,en;q=0.9' \
  -H 'content-type: application/json' \
  -b 'csrftoken=Xk2p; sessionid=9f8e7d' \
  -H 'origin: http://localhost:28139' \
  -H 'priority: u=1, i' \
  -H 'sec-ch-ua: "Chromium";v="128", "Not;A=Brand";v="24", "Google Chrome";v="128"' \
  -H 'sec-ch-ua-mobile: ?0' \
  -H 'user-agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36' \
  -H 'x-empty;' \
  --data-raw $'{"query":"query Me { viewer { login } }","variables":{"note":"it\'s \u00e9"}}'

### chrome-new/multipart-upload
#: origin written by hand in the layout of Chrome's Copy as cURL (bash) for a multipart form post
curl 'http://localhost:28139/upload' \
  -H 'content-type: multipart/form-data; boundary=----WebKitFormBoundaryq9GxT1pL' \
  --data-raw $'------WebKitFormBoundaryq9GxT1pL\r\nContent-Disposition: form-data; name="title"\r\n\r\nQ3 report\r\n------WebKitFormBoundaryq9GxT1pL\r\nContent-Disposition: form-data; name="file"; filename="r.csv"\r\nContent-Type: text/csv\r\n\r\na,b\n1,2\n\r\n------WebKitFormBoundaryq9GxT1pL--\r\n'

### chrome-new/filter-brackets
#: origin written by hand in the layout of Chrome's Copy as cURL (bash): [ ] in the URL escaped for curl's globbing
#: differs target
# As chrome/url-brackets: the imported URL is curl's, our HTTP client percent-encodes [ ].
curl 'http://localhost:28139/api/items?filter\[status\]=open&page\[size\]=20' \
  -H 'accept: application/vnd.api+json'
