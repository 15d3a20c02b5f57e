# Real curl commands from curlconverter's test fixtures (github.com/curlconverter/curlconverter,
# test/fixtures/curl_commands at commit 6dec0fe534cdae55f804b84bbe26c934731dd53d, MIT licence,
# Copyright (c) 2014-2016 Nick Carneiro), unchanged unless an entry's origin says otherwise.
# See README.md for the entry format.

### curlconverter/bash_redirect
#: origin curlconverter test/fixtures/curl_commands/bash_redirect.sh
#: file add_params.xml <ServiceRequest><data>unix</data></ServiceRequest>\n
# https://github.com/curlconverter/curlconverter/issues/316
curl -H "X-Requested-With: curl" -H "Content-Type: text/xml" -u "USER:PASS" -X "POST" --data-binary @- "http://localhost:28139/api/2.0/fo/auth/unix/?action=create&title=UnixRecord&username=root&password=abc123&ips=10.10.10.10" < add_params.xml

### curlconverter/bash_redirect_heredoc
#: origin curlconverter test/fixtures/curl_commands/bash_redirect_heredoc.sh
# https://github.com/curlconverter/curlconverter/issues/328
curl -X POST http://localhost:28139/api/servers/00000000000/shared_servers/ -H "'Accept': 'application/json'" -H "Authorization: Bearer 000000000000000-0000" -H "Content-Type: application/json" --data-binary @- <<DATA
{"server_id": "00000000000",
                   "shared_server": {"library_section_ids": 00000000000,
                                     "invited_id": 00000000000}
                   }
DATA

### curlconverter/bash_redirect_herestring
#: origin curlconverter test/fixtures/curl_commands/bash_redirect_herestring.sh
#: env MYVARIABLE={"server_id": 1}
curl -X POST http://localhost:28139/api/servers/00000000000/shared_servers/ -H "'Accept': 'application/json'" -H "Authorization: Bearer 000000000000000-0000" -H "Content-Type: application/json" --data-binary @- <<< $MYVARIABLE

### curlconverter/broken_cookie
#: origin curlconverter test/fixtures/curl_commands/broken_cookie.sh (port 8888 made 28139)
#!/usr/bin/env sh

curl -i 'http://localhost:28139/' -b 'a=b; c'

### curlconverter/commented_json_with_session
#: origin curlconverter test/fixtures/curl_commands/commented_json_with_session.sh
#: reported names a cookie file
curl 'http://localhost:28139' -b cookies.txt -c cookies.txt --json '{   }'

### curlconverter/delete
#: origin curlconverter test/fixtures/curl_commands/delete.sh
curl -X "DELETE" "http://localhost:28139/page"

### curlconverter/get_basic_auth
#: origin curlconverter test/fixtures/curl_commands/get_basic_auth.sh
curl "http://localhost:28139/" -u "some_username:some_password"

### curlconverter/get_basic_auth_no_user
#: origin curlconverter test/fixtures/curl_commands/get_basic_auth_no_user.sh
curl "http://localhost:28139/" -u ":some_password"

### curlconverter/get_charles_syntax
#: origin curlconverter test/fixtures/curl_commands/get_charles_syntax.sh
curl -H "Host: api.ipify.org" -H "Accept: */*" -H "User-Agent: GiftTalk/2.7.2 (iPhone; iOS 9.0.2; Scale/3.00)" -H "Accept-Language: en-CN;q=1, zh-Hans-CN;q=0.9" --compressed "http://localhost:28139/?format=json&"

### curlconverter/get_complex_url_params
#: origin curlconverter test/fixtures/curl_commands/get_complex_url_params.sh
curl 'http://localhost:28139/house-sitting/?page=1&available=&available=1&location=0&city%5Bid%5D=0&city%5Blocality%5D=&city%5Blocality_text%5D=&city%5Badministrative_area_level_2%5D=&city%5Badministrative_area_level_2_text%5D=&city%5Badministrative_area_level_1%5D=&city%5Badministrative_area_level_1_text%5D=&city%5Bcountry%5D=&city%5Bcountry_text%5D=&city%5Blatitude%5D=&city%5Blongitude%5D=&city%5Bzoom%5D=&city%5Bname%5D=&region%5Bid%5D=0&region%5Blocality%5D=&region%5Blocality_text%5D=&region%5Badministrative_area_level_2%5D=&region%5Badministrative_area_level_2_text%5D=&region%5Badministrative_area_level_1%5D=&region%5Badministrative_area_level_1_text%5D=&region%5Bcountry%5D=&region%5Bcountry_text%5D=&region%5Blatitude%5D=&region%5Blongitude%5D=&region%5Bzoom%5D=&region%5Bname%5D=&country=&environment=&population=&period=0&date=2017-03-03&datestart=2017-03-03&dateend=2017-06-24&season=&duration=&isfd=&stopover='

### curlconverter/get_cookie_with_empty_value
#: origin curlconverter test/fixtures/curl_commands/get_cookie_with_empty_value.sh
curl -X GET "http://localhost:28139/cookies" -H "accept: application/json" -H 'Cookie: mysamplecookie=someValue; emptycookie=; otherCookie=2'

### curlconverter/get_cookies_from_file
#: origin curlconverter test/fixtures/curl_commands/get_cookies_from_file.sh
#: reported names a cookie file
curl -b cookie.txt http://localhost:28139/

### curlconverter/get_digest_auth
#: origin curlconverter test/fixtures/curl_commands/get_digest_auth.sh
curl "http://localhost:28139/" -u "some_username:some_password" --digest

### curlconverter/get_follow_redirect
#: origin curlconverter test/fixtures/curl_commands/get_follow_redirect.sh
curl -L http://localhost:28139

### curlconverter/get_header_with_quotes
#: origin curlconverter test/fixtures/curl_commands/get_header_with_quotes.sh
# https://github.com/curlconverter/curlconverter/issues/272
curl 'http://localhost:28139' \
  -H 'sec-ch-ua: " Not A;Brand";v="99", "Chromium";v="92"' \
  --compressed

### curlconverter/get_http2_warning
#: origin curlconverter test/fixtures/curl_commands/get_http2_warning.sh
#: reported --http2
#: differs header Connection
#: differs header Upgrade
#: differs header HTTP2-Settings
curl --http2 localhost:28139

### curlconverter/get_insecure_basic_auth
#: origin curlconverter test/fixtures/curl_commands/get_insecure_basic_auth.sh
curl -k "http://localhost:28139/" -u "some_username:some_password"

### curlconverter/get_insecure_full
#: origin curlconverter test/fixtures/curl_commands/get_insecure_full.sh
curl --insecure -X GET http://localhost:28139

### curlconverter/get_insecure_k
#: origin curlconverter test/fixtures/curl_commands/get_insecure_k.sh
curl -k -X GET http://localhost:28139

### curlconverter/get_insecure_short
#: origin curlconverter test/fixtures/curl_commands/get_insecure_short.sh
# This test doesn't really make sense with http://
curl -k 'http://localhost:28139/'

### curlconverter/get_long_form_header
#: origin curlconverter test/fixtures/curl_commands/get_long_form_header.sh
curl -X GET --header 'Accept: application/json' --header 'user-token: 75d7ce4350c7d6239347bf23d3a3e668' 'http://localhost:28139/api/retail/books/list'

### curlconverter/get_max_time
#: origin curlconverter test/fixtures/curl_commands/get_max_time.sh
#: reported became a read timeout
curl 'http://localhost:28139' -m 20

### curlconverter/get_max_time_and_connect_timeout
#: origin curlconverter test/fixtures/curl_commands/get_max_time_and_connect_timeout.sh
curl 'http://localhost:28139' --max-time 6.72 --connect-timeout 13.9999

### curlconverter/get_referer
#: origin curlconverter test/fixtures/curl_commands/get_referer.sh
curl http://localhost:28139 -G -H "X-Requested-With: XMLHttpRequest" -e "https://website.com" -A "SimCity"

### curlconverter/get_silent
#: origin curlconverter test/fixtures/curl_commands/get_silent.sh
curl --sil 'localhost:28139'

### curlconverter/get_user_agent
#: origin curlconverter test/fixtures/curl_commands/get_user_agent.sh
curl --trace-ascii log2.txt --user-agent "Mozilla Android6.1" -i --header "x-msisdn:XXXXXXXXXXXXX" -L "http://localhost:28139/vc/moviesmagic?p=5&pub=testmovie&tkn=817263812"

### curlconverter/get_with_all_numerical_data
#: origin curlconverter test/fixtures/curl_commands/get_with_all_numerical_data.sh
curl -X POST --header 'Content-Type: application/json' --header 'Accept: application/json' -d '18233982904' 'http://localhost:28139/CurlToNode'

### curlconverter/get_with_browser_headers
#: origin curlconverter test/fixtures/curl_commands/get_with_browser_headers.sh
curl 'http://localhost:28139/' -H 'Accept-Encoding: gzip, deflate, sdch' -H 'Accept-Language: en-US,en;q=0.8' -H 'User-Agent: Mozilla/5.0 (Macintosh; Intel Mac OS X 10_10_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/39.0.2171.95 Safari/537.36' -H 'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/webp,*/*;q=0.8' -H 'Referer: http://www.wikipedia.org/' -H 'Cookie: GeoIP=US:Albuquerque:35.1241:-106.7675:v4; uls-previous-languages=%5B%22en%22%5D; mediaWiki.user.sessionId=VaHaeVW3m0ymvx9kacwshZIDkv8zgF9y; centralnotice_buckets_by_campaign=%7B%22C14_enUS_dsk_lw_FR%22%3A%7B%22val%22%3A%220%22%2C%22start%22%3A1412172000%2C%22end%22%3A1422576000%7D%2C%22C14_en5C_dec_dsk_FR%22%3A%7B%22val%22%3A3%2C%22start%22%3A1417514400%2C%22end%22%3A1425290400%7D%2C%22C14_en5C_bkup_dsk_FR%22%3A%7B%22val%22%3A1%2C%22start%22%3A1417428000%2C%22end%22%3A1425290400%7D%7D; centralnotice_bannercount_fr12=22; centralnotice_bannercount_fr12-wait=14' -H 'Connection: keep-alive' --compressed

### curlconverter/get_with_cookie_in_headers
#: origin curlconverter test/fixtures/curl_commands/get_with_cookie_in_headers.sh
curl 'http://localhost:28139/cookies' -H 'Pragma: no-cache' -H 'Accept-Encoding: gzip, deflate, br' -H 'Accept-Language: en-US,en;q=0.9' -H 'User-Agent: Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_3) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/72.0.3626.119 Safari/537.36' -H 'accept: application/json' -H 'Referer: https://httpbin.org/' -H 'Cookie: authCookie=123' -H 'Connection: keep-alive' -H 'Cache-Control: no-cache' -H 'Sec-Metadata: destination=empty, site=same-origin' --compressed

### curlconverter/get_with_data
#: origin curlconverter test/fixtures/curl_commands/get_with_data.sh
curl -v -H 'X-Api-Key:123456789' 'http://localhost:28139/synthetics/api/v3/monitors?test=2' -G -d 'limit=100' -d 'w=4'

### curlconverter/get_with_data2
#: origin curlconverter test/fixtures/curl_commands/get_with_data2.sh
curl -X PUT 'http://localhost:28139/v2/alerts_policy_channels.json' \
     -H 'X-Api-Key:{admin_api_key}' -i \
     -H 'Content-Type: application/json' \
     -G -d 'policy_id=policy_id&channel_ids=channel_id'

### curlconverter/get_with_env_var
#: origin curlconverter test/fixtures/curl_commands/get_with_env_var.sh
#: env DO_API_TOKEN=dop_v1_0123456789abcdef
#: reported the shell variable DO_API_TOKEN became {{DO_API_TOKEN}}
curl -X GET -H "Content-Type: application/json" -H "Authorization: Bearer $DO_API_TOKEN" "http://localhost:28139/v2/images?type=distribution"

### curlconverter/get_with_form
#: origin curlconverter test/fixtures/curl_commands/get_with_form.sh
curl -s --user 'test:'  \
  http://localhost:28139/v3 \
  -F from='test@tester.com' \
  --form-string to='devs@tester.net' \
  -F subject='Hello' \
  -F text='Testing the converter!'

### curlconverter/get_with_header_lowercase_cookie
#: origin curlconverter test/fixtures/curl_commands/get_with_header_lowercase_cookie.sh
curl -v -H 'cookie: secure_user_id=InNlY3VyZTEwNjI3Ig%3D%3D--3b5df49345735791f2b80eddafb630cdcba76a1d; adaptive_image=1440; has_js=1; ccShowCookieIcon=no; _web_session=Y2h...e5' http://localhost:28139/page

### curlconverter/get_with_header_without_value
#: origin curlconverter test/fixtures/curl_commands/get_with_header_without_value.sh
curl --header "Content-Type: text/xml;charset=UTF-8" --header "getWorkOrderCancel;" localhost:28139/get

### curlconverter/get_with_single_header
#: origin curlconverter test/fixtures/curl_commands/get_with_single_header.sh
curl http://localhost:28139/ -H 'foo: bar'

### curlconverter/head
#: origin curlconverter test/fixtures/curl_commands/head.sh
curl --head http://localhost:28139/page

### curlconverter/head_with_I_option
#: origin curlconverter test/fixtures/curl_commands/head_with_I_option.sh
curl -I http://localhost:28139/page

### curlconverter/head_without_http
#: origin curlconverter test/fixtures/curl_commands/head_without_http.sh
curl --head localhost:28139/page

### curlconverter/j_patch_array
#: origin curlconverter test/fixtures/curl_commands/j_patch_array.sh
curl -XPATCH http://localhost:28139/patch -d item[]=1 -d item[]=2 -d item[]=3

### curlconverter/j_patch_file_only
#: origin curlconverter test/fixtures/curl_commands/j_patch_file_only.sh
#: file test/fixtures/curl_commands/delete.sh curl -X "DELETE" "http://localhost:28139/page"\n
curl -XPATCH http://localhost:28139/patch -F file1=@./test/fixtures/curl_commands/delete.sh

### curlconverter/j_patch_file_with_data
#: origin curlconverter test/fixtures/curl_commands/j_patch_file_with_data.sh
#: file test/fixtures/curl_commands/delete.sh curl -X "DELETE" "http://localhost:28139/page"\n
curl -XPATCH http://localhost:28139/patch -F file1=@./test/fixtures/curl_commands/delete.sh -F form1=form+data+1 -F form2=form_data_2

### curlconverter/j_post_data_wo_verb
#: origin curlconverter test/fixtures/curl_commands/j_post_data_wo_verb.sh
curl http://localhost:28139/post -d data1=data1 -d data2=data2 -d data3=data3

### curlconverter/j_post_form_f
#: origin curlconverter test/fixtures/curl_commands/j_post_form_f.sh
curl -F d1=data1 -F d2=data http://localhost:28139/post

### curlconverter/max_redirs
#: origin curlconverter test/fixtures/curl_commands/max_redirs.sh
curl 'http://localhost:28139' --max-redirs 20

### curlconverter/multiline_post_with_data
#: origin curlconverter test/fixtures/curl_commands/multiline_post_with_data.sh
curl -X GET 'http://localhost:28139/echo/html/' \
    -H 'Origin: http://fiddle.jshell.net' \
    -d msg1="value1" \
    -d msg2="value2"

### curlconverter/multipart_post
#: origin curlconverter test/fixtures/curl_commands/multipart_post.sh
#: file myfile.jpg \xff\xd8\xff\xe0\x00\x10JFIF\x00\r\n
curl http://localhost:28139/api/2.0/files/content -H "Authorization: Bearer ACCESS_TOKEN" -X POST -F attributes='{"name":"tigers.jpeg", "parent":{"id":"11446498"}}' -F file=@myfile.jpg

### curlconverter/multipart_with_headers
#: origin curlconverter test/fixtures/curl_commands/multipart_with_headers.sh
#: file myfile.jpg \xff\xd8\xff\xe0\x00\x10JFIF\x00\r\n
curl http://localhost:28139/api/2.0/files/content \
    -H "Authorization: Bearer ACCESS_TOKEN" \
    -X POST \
    -H 'X-Nice: Header' \
    -F attributes='{"name":"tigers.jpeg", "parent":{"id":"11446498"}}' \
    -F file=@myfile.jpg

### curlconverter/multiple_commands
#: origin curlconverter test/fixtures/curl_commands/multiple_commands.sh
#: file input_redirected_file.txt line one\r\nline two\n
#: reported -T sends the file without a Content-Type
#: differs header Content-Type
curl localhost:28139

# a comment
curl localhost:28139/second



curl localhost:28139/third --upload-file - < input_redirected_file.txt

### curlconverter/multiple_d_post
#: origin curlconverter test/fixtures/curl_commands/multiple_d_post.sh
curl -s 'http://localhost:28139/webservices/rest.php' -d 'version=1.2' -d "auth_user=fdgxf" -d "auth_pwd=oxfdscds" -d 'json_data={ "operation": "core/get", "class": "Software", "key": "key" }'

### curlconverter/no_location_with_full_cookie_jar
#: origin curlconverter test/fixtures/curl_commands/no_location_with_full_cookie_jar.sh
#: reported names a cookie file
curl 'http://localhost:28139' --no-location --location-trusted --no-location-trusted -b cookies.txt -c cookies.txt

### curlconverter/options
#: origin curlconverter test/fixtures/curl_commands/options.sh
curl "http://localhost:28139/api/tunein/queue-and-play?deviceSerialNumber=xxx&deviceType=xxx&guideId=s56876&contentType=station&callSign=&mediaOwnerCustomerId=xxx" -X OPTIONS -H "Pragma: no-cache" -H "Access-Control-Request-Method: POST" -H "Origin: https://alexa.amazon.de" -H "Accept-Encoding: gzip, deflate, br" -H "Accept-Language: de-DE,de;q=0.8,en-US;q=0.6,en;q=0.4" -H "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/61.0.3163.100 Safari/537.36" -H "Accept: */*" -H "Cache-Control: no-cache" -H "Referer: https://alexa.amazon.de/spa/index.html" -H "Connection: keep-alive" -H "DNT: 1" -H "Access-Control-Request-Headers: content-type,csrf" --compressed

### curlconverter/parse_form_data
#: origin curlconverter test/fixtures/curl_commands/parse_form_data.sh
curl 'http://localhost:28139/wp-json/contact-form-7/v1/contact-forms/295/feedback' \
  -H 'authority: sgg.ae' \
  -H 'accept: application/json, text/javascript, */*; q=0.01' \
  -H 'accept-language: ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7' \
  -H 'content-type: multipart/form-data; boundary=----WebKitFormBoundaryXSzdE07OT2MkeOO7' \
  -H 'cookie: pll_language=en' \
  -H 'origin: https://sgg.ae' \
  -H 'referer: https://sgg.ae/contact-us/' \
  -H 'sec-ch-ua: "Chromium";v="106", "Google Chrome";v="106", "Not;A=Brand";v="99"' \
  -H 'sec-ch-ua-mobile: ?0' \
  -H 'sec-ch-ua-platform: "Windows"' \
  -H 'sec-fetch-dest: empty' \
  -H 'sec-fetch-mode: cors' \
  -H 'sec-fetch-site: same-origin' \
  -H 'user-agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/106.0.0.0 Safari/537.36' \
  -H 'x-requested-with: XMLHttpRequest' \
  --data-raw $'------WebKitFormBoundaryXSzdE07OT2MkeOO7\r\nContent-Disposition: form-data; name="_wpcf7"\r\n\r\n295\r\n------WebKitFormBoundaryXSzdE07OT2MkeOO7\r\nContent-Disposition: form-data; name="_wpcf7_version"\r\n\r\n5.1.4\r\n------WebKitFormBoundaryXSzdE07OT2MkeOO7\r\nContent-Disposition: form-data; name="_wpcf7_locale"\r\n\r\nen_US\r\n------WebKitFormBoundaryXSzdE07OT2MkeOO7\r\nContent-Disposition: form-data; name="_wpcf7_unit_tag"\r\n\r\nwpcf7-f295-o1\r\n------WebKitFormBoundaryXSzdE07OT2MkeOO7\r\nContent-Disposition: form-data; name="_wpcf7_container_post"\r\n\r\n0\r\n------WebKitFormBoundaryXSzdE07OT2MkeOO7\r\nContent-Disposition: form-data; name="your-name"\r\n\r\ntest\r\n------WebKitFormBoundaryXSzdE07OT2MkeOO7\r\nContent-Disposition: form-data; name="your-email"; filename=hhhhhhhh\r\n\r\nexample@example.com\r\n------WebKitFormBoundaryXSzdE07OT2MkeOO7\r\nContent-Disposition: form-data; name="your-subject"\r\n\r\ntest\r\n------WebKitFormBoundaryXSzdE07OT2MkeOO7\r\nContent-Disposition: form-data; name="your-message"\r\n\r\ntest\r\n------WebKitFormBoundaryXSzdE07OT2MkeOO7\r\nContent-Disposition: form-data; name="send_c[]"\r\n\r\nSend copy to yourself\r\n------WebKitFormBoundaryXSzdE07OT2MkeOO7--\r\n' \
  --compressed

### curlconverter/patch
#: origin curlconverter test/fixtures/curl_commands/patch.sh
# https://github.com/NickCarneiro/curlconverter/issues/68
curl 'http://localhost:28139/go/api/agents/adb9540a-b954-4571-9d9b-2f330739d4da' \
      -u 'username:password' \
      -H 'Accept: application/vnd.go.cd.v4+json' \
      -H 'Content-Type: application/json' \
      -X PATCH \
      -d '{
        "hostname": "agent02.example.com",
        "agent_config_state": "Enabled",
        "resources": ["Java","Linux"],
        "environments": ["Dev"]
        }'

### curlconverter/pipelines
#: origin curlconverter test/fixtures/curl_commands/pipelines.sh
echo foo | curl localhost:28139
echo foo | curl localhost:28139 | echo foo | curl localhost:28139
curl localhost:28139 | echo foo | echo bar | curl localhost:28139

### curlconverter/post_basic_auth_url_encoded_data
#: origin curlconverter test/fixtures/curl_commands/post_basic_auth_url_encoded_data.sh
curl -X POST -d "grant_type=client_credentials" -u "foo:bar" http://localhost:28139/api/oauth/token/

### curlconverter/post_binary_file
#: origin curlconverter test/fixtures/curl_commands/post_binary_file.sh
#: file sample.sparql SELECT * WHERE {\n  ?s ?p ?o\n}\n
curl -i -X POST  --data-binary @./sample.sparql  -H "Content-type: application/sparql-query"  -H "Accept: application/sparql-results+json"  http://localhost:28139/american-art/query

### curlconverter/post_data_binary_with_equals
#: origin curlconverter test/fixtures/curl_commands/post_data_binary_with_equals.sh
curl 'http://localhost:28139/api/service.svc?action=CreateItem&ID=-37&AC=1' -H 'Cookie: X-BackEndCookie=S-1-5-21-1234556-56678-12345-2345=alphanumericstring12345/anotheralphanumericstring12345/scsiAdf/P; ClientId=LoremIupsum; PrivateComputer=true; PBack=0; cadata=bx88rrCBehITlBWSozO2l2hlFGu//JjT1/k6dewX5shV32jANUZSMU6GR+M25B6YpBODEgXzxfIHDnvxNC6SJoaE/d8RWX3uDnbkd+m91jNhMXNSYIRYTJHVFdPG06AE; cadataTTL=NfDhBViTJMUdC+ir+6BYvg==; cadataKey=qUY+OLTD9V14CFK6/CUPyrJWMxl1FFqZFjB8/qcS0/q55eqGvP9bWvX+XuSYVv3hIGAn9QNPhIDK6NP9LwCBdu25f2BUFDUWJruGO8MW02izSWzRUnni00xWQq3Y3nNKvpvO+OIR641BPHVZ0+lzCw2Wt8uzEnryCWAjlleozF/XWjpTN4/AaTmcIjEZUDN+fo4494rD0mADtEHv2gmd5mhLe+iyii/L9nAB3UuiJomwbRbKgy22Tj8cyavmLC4ZaViqW9E102NOLU4FYLgdZVET+mbdg==; cadataIV=bTM88YL1zmz7FsBEB0y3nI2SrdSTy+KLxCpx2FRfIZYFo2spN1IHQMSCT76OXrg79sVPhyqXk+N9rOj6M9KsQl4KqMNVBcoXgp24POpgoTwd4FBmKtAYbd9SDErna3jrMO168ML9PDG18K3CnBf6YG1tsIs0gXOEP9LzHVmUPF7KCKqUFiOiZGWuwmPhl85eo77BbEpVN2JkPnzuQWn6tC0cY4f2cJDlr3Z23SrAUVwwXmgRg2DXfOF5MIEkpwYiiI6sABCD9rsSnE6zTXlvZg33hjiD/ywUV1ZWjI2M/4zBixa4s150+dOnMmvtEFs/nOMnvMJui4PEDlTA==; cadataSig=WL3hB+av7sO3bzjL+Efe5b4exnvQxSInH3U5jDvfnPcttSp0XUF3y/NB573C0CTBYuOH/40smFssXlrKhT9tG2ITivdSIIamOmarmC8XwFOv9qQIFMHofcO/jjRDMqF0qRk7WBAC2FgBQrf2Tvq7wk5IX/JHn6zhlgKALAAqH9L9JNC244etnjj9YNaMDYEHV2M2jVTu3FsELqw1rSSqp0hEBlh+aFBvYCBg5hS1mVI76ZCHZVa0OUejiH2yiZyJIKHUI+Sv0rpU3iiQNtIFmGEdwhoo/rga4s4Dc2UsJLQ8c0yGlZgflYs+7Q5gPr74/mTUin60ej/w3M0roUl3FQ==; UC=d8be544621964f3c9865b3ee872fd432; AppcacheVer=15.0.1236.3:en-usbase; X-OWA-CANARY=VOXQP6xtGkiNnv7E4rFt8TrmclqVFtQI4IJqZflrR7Wz9AMPkMsFoyAlquw1YGsTUxIkVouAcvk.' -H 'Origin: https://nih.mail.edu.fr' -H 'Accept-Encoding: gzip, deflate, br' -H 'X-EWS-TargetVersion: 2.5' -H 'Accept-Language: en-US,en;q=0.8' -H 'User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/54.0.2840.99 Safari/537.36' -H 'Action: CreateItem' -H 'X-Requested-With: XMLHttpRequest' -H 'Connection: keep-alive' -H 'X-OWA-CANARY: VOXQP6xtGkiNnv7E4rFt8TrmclqVFtQI4IJqZflrR7Wz9AMPkMsFoyAlquw1YGsTUxIkVouAcvk.' -H 'X-OWA-ActionName: CreateMessageForComposeSend' -H 'X-OWA-ActionId: -37' -H 'X-OWA-ServiceUnavailableOnTransientError: true' -H 'Content-Type: application/json; charset=UTF-8' -H 'Accept: */*' -H 'Referer: https://localhost/api/' -H 'X-OWA-ClientBuildVersion: 15.0.1236.3' -H 'X-OWA-CorrelationId: 2f11f8fb-f6c6-43a5-881d-8a1b242a4e70_148023102251337' -H 'DNT: 1' -H 'X-OWA-ClientBegin: 2016-11-27T07:17:02.513' -H 'X-OWA-Attempt: 1' --data-binary '{"__type":"CreateItemJsonRequest:#Exchange","Header":{"__type":"JsonRequestHeaders:#Exchange","RequestServerVersion":"Exchange2013","TimeZoneContext":{"__type":"TimeZoneContext:#Exchange","TimeZoneDefinition":{"__type":"TimeZoneDefinitionType:#Exchange","Id":"France Standard Time"}}},"Body":{"__type":"CreateItemRequest:#Exchange","Items":[{"__type":"Message:#Exchange","Subject":"API","Body":{"__type":"BodyContentType:#Exchange","BodyType":"HTML","Value":"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\"><style type=\"text/css\" style=\"display:none\"><!-- p { margin-top: 0px; margin-bottom: 0px; }--></style></head><body dir=\"ltr\" style=\"font-size:12pt;color:#000000;background-color:#FFFFFF;font-family:Calibri,Arial,Helvetica,sans-serif;\"><p>API Test for NickC<br></p></body></html>"},"Importance":"Normal","From":null,"ToRecipients":[{"Name":"George LUCAS","EmailAddress":"George.LUCAS@nih.mail.edu.fr","RoutingType":"SMTP","MailboxType":"Mailbox","OriginalDisplayName":"George.LUCAS@nih.mail.edu.fr","SipUri":" "}],"CcRecipients":[],"BccRecipients":[],"Sensitivity":"Normal","IsDeliveryReceiptRequested":false,"IsReadReceiptRequested":false}],"ClientSupportsIrm":true,"OutboundCharset":"AutoDetect","MessageDisposition":"SendAndSaveCopy","ComposeOperation":"newMail"}}'

### curlconverter/post_empty
#: origin curlconverter test/fixtures/curl_commands/post_empty.sh
curl --data-binary "" http://localhost:28139

### curlconverter/post_escaped_double_quotes_in_single_quotes
#: origin curlconverter test/fixtures/curl_commands/post_escaped_double_quotes_in_single_quotes.sh
curl -X POST http://localhost:28139/ --data 'foo=\"bar\"'

### curlconverter/post_escaped_single_quotes_in_double_quotes
#: origin curlconverter test/fixtures/curl_commands/post_escaped_single_quotes_in_double_quotes.sh
curl -X POST http://localhost:28139/ --data "foo=\'bar\'"

### curlconverter/post_form
#: origin curlconverter test/fixtures/curl_commands/post_form.sh
curl -X POST -F 'username=davidwalsh' -F 'password=something' http://localhost:28139/post-to-me.php

### curlconverter/post_image
#: origin curlconverter test/fixtures/curl_commands/post_image.sh
#: file image.jpg \xff\xd8\xff\xdb\x00C\x00
curl -F "image=@image.jpg" http://localhost:28139/targetservice

### curlconverter/post_json
#: origin curlconverter test/fixtures/curl_commands/post_json.sh
curl --json '{ "drink":' --json ' "coffe" }' http://localhost:28139

### curlconverter/post_json_multiple_headers
#: origin curlconverter test/fixtures/curl_commands/post_json_multiple_headers.sh
curl -v -H "Content-Type: application/json" -H "X-API-Version: 200" -d '{"userName":"username123","password":"password123", "authLoginDomain":"local"}' -X POST -k http://localhost:28139/rest/login-sessions

### curlconverter/post_number
#: origin curlconverter test/fixtures/curl_commands/post_number.sh
curl -X POST -d '123' http://localhost:28139

### curlconverter/post_quotes_inside_data
#: origin curlconverter test/fixtures/curl_commands/post_quotes_inside_data.sh
curl localhost:28139 --data 'field=don%27t%20you%20like%20quotes'

### curlconverter/post_same_field_multiple_times
#: origin curlconverter test/fixtures/curl_commands/post_same_field_multiple_times.sh
curl -X POST http://localhost:28139/ --data 'foo=bar&foo=&foo=barbar'

### curlconverter/post_with_browser_headers
#: origin curlconverter test/fixtures/curl_commands/post_with_browser_headers.sh
curl 'http://localhost:28139/ajax/demo_post.asp' -X POST -H 'Origin: http://www.w3schools.com' -H 'Accept-Encoding: gzip, deflate' -H 'Accept-Language: en-US,en;q=0.8' -H 'User-Agent: Mozilla/5.0 (Macintosh; Intel Mac OS X 10_10_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/39.0.2171.95 Safari/537.36' -H 'Accept: */*' -H 'Referer: http://www.w3schools.com/ajax/tryit_view.asp?x=0.07944501144811511' -H 'Cookie: _gat=1; ASPSESSIONIDACCRDTDC=MCMDKFMBLLLHGKCGNMKNGPKI; _ga=GA1.2.1424920226.1419478126' -H 'Connection: keep-alive' -H 'Content-Length: 0' --compressed

### curlconverter/post_with_colon_in_header
#: origin curlconverter test/fixtures/curl_commands/post_with_colon_in_header.sh
curl -i -X POST http://localhost:28139/endpoint -H "Content-Type:application/json" -H 'key:abcdefg'

### curlconverter/post_with_data-ascii
#: origin curlconverter test/fixtures/curl_commands/post_with_data-ascii.sh
curl 'http://localhost:28139/echo/html/' -H 'Origin: http://fiddle.jshell.net' -H 'Accept-Encoding: gzip, deflate' -H 'Accept-Language: en-US,en;q=0.8' -H 'User-Agent: Mozilla/5.0 (Macintosh; Intel Mac OS X 10_10_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/39.0.2171.95 Safari/537.36' -H 'Content-Type: application/x-www-form-urlencoded; charset=UTF-8' -H 'Accept: */*' -H 'Referer: http://fiddle.jshell.net/_display/' -H 'X-Requested-With: XMLHttpRequest' -H 'Connection: keep-alive' --data-ascii 'msg1=wow&msg2=such' --compressed

### curlconverter/post_with_data_binary
#: origin curlconverter test/fixtures/curl_commands/post_with_data_binary.sh
curl 'http://localhost:28139/post' --data-binary '{"title":"china1"}'

### curlconverter/post_with_data_raw
#: origin curlconverter test/fixtures/curl_commands/post_with_data_raw.sh
curl 'http://localhost:28139/post' --data-ascii 'msg1=wow&msg2=such&msg3=@rawmsg'

### curlconverter/post_with_data_with_percent_sign
#: origin curlconverter test/fixtures/curl_commands/post_with_data_with_percent_sign.sh
curl --data 'secret=*%5*!' http://localhost:28139/post

### curlconverter/post_with_double_quotes_inside_single_quotes
#: origin curlconverter test/fixtures/curl_commands/post_with_double_quotes_inside_single_quotes.sh
curl -X POST http://localhost:28139/ --data 'foo="bar"'

### curlconverter/post_with_escaped_double_quotes
#: origin curlconverter test/fixtures/curl_commands/post_with_escaped_double_quotes.sh
curl -X POST http://localhost:28139/ --data "foo=\"bar\""

### curlconverter/post_with_extra_whitespace
#: origin curlconverter test/fixtures/curl_commands/post_with_extra_whitespace.sh
#: file 47.htz PK\x03\x04 htz
curl -X POST "http://localhost:28139/api/library" -H  "accept: application/json" -H  "Content-Type: multipart/form-data" -F "files=@47.htz" -F "name=47" -F "oldMediaId=47" -F "updateInLayouts=1" -F "deleteOldRevisions=1"

### curlconverter/post_with_quotes_anywhere
#: origin curlconverter test/fixtures/curl_commands/post_with_quotes_anywhere.sh
curl 'http://localhost:28139' \
    -d "a=b&c=\"&d='" \
    -u "ol':asd\"" \
    -H "A: ''a'" \
    -H 'B: "' \
    -H "Cookie: x=1'; y=2\""

### curlconverter/post_with_single_quotes_inside_double_quotes
#: origin curlconverter test/fixtures/curl_commands/post_with_single_quotes_inside_double_quotes.sh
curl -X POST http://localhost:28139/ --data "foo='bar'"

### curlconverter/post_with_urlencoded_data
#: origin curlconverter test/fixtures/curl_commands/post_with_urlencoded_data.sh
curl 'http://localhost:28139/echo/html/' -H 'Origin: http://fiddle.jshell.net' -H 'Accept-Encoding: gzip, deflate' -H 'Accept-Language: en-US,en;q=0.8' -H 'User-Agent: Mozilla/5.0 (Macintosh; Intel Mac OS X 10_10_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/39.0.2171.95 Safari/537.36' -H 'Content-Type: application/x-www-form-urlencoded; charset=UTF-8' -H 'Accept: */*' -H 'Referer: http://fiddle.jshell.net/_display/' -H 'X-Requested-With: XMLHttpRequest' -H 'Connection: keep-alive' --data 'msg1=wow&msg2=such' --compressed

### curlconverter/post_with_urlencoded_data_and_headers
#: origin curlconverter test/fixtures/curl_commands/post_with_urlencoded_data_and_headers.sh
curl 'http://localhost:28139/api/Listing.svc/PropertySearch_Post' -H 'Origin: http://www.realtor.ca' -H 'Accept-Encoding: gzip, deflate' -H 'Accept-Language: en-US,en;q=0.8' -H 'User-Agent: Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/45.0.2454.101 Safari/537.36' -H 'Content-Type: application/x-www-form-urlencoded; charset=UTF-8' -H 'Accept: */*' -H 'Referer: http://www.realtor.ca/Residential/Map.aspx' -H 'Connection: keep-alive' --data 'CultureId=1&ApplicationId=1&RecordsPerPage=200&MaximumResults=200&PropertyTypeId=300&TransactionTypeId=2&StoreyRange=0-0&BuildingTypeId=1&BedRange=0-0&BathRange=0-0&LongitudeMin=-79.3676805496215&LongitudeMax=-79.27300930023185&LatitudeMin=43.660358732823845&LatitudeMax=43.692390574029936&SortOrder=A&SortBy=1&viewState=m&Longitude=-79.4107246398925&Latitude=43.6552047278685&ZoomLevel=13&CurrentPage=1'

### curlconverter/post_xpost
#: origin curlconverter test/fixtures/curl_commands/post_xpost.sh
curl -XPOST 'http://localhost:28139/api/xxxxxxxxxxxxxxxx' --data '{"keywords":"php","page":1,"searchMode":1}'

### curlconverter/put_basic_auth_json_data
#: origin curlconverter test/fixtures/curl_commands/put_basic_auth_json_data.sh
curl -X PUT http://localhost:28139/test/_security -u "admin:123" -d '{"admins":{"names":[], "roles":[]}, "readers":{"names":["joe"],"roles":[]}}'

### curlconverter/put_with_file
#: origin curlconverter test/fixtures/curl_commands/put_with_file.sh
#: file new_file name=new&size=3
curl -i -X PUT --data "@new_file" http://localhost:28139/upload

### curlconverter/put_xput
#: origin curlconverter test/fixtures/curl_commands/put_xput.sh
curl -XPUT 'http://localhost:28139/twitter/_mapping/user?pretty' -H 'Content-Type: application/json' -d "\
{\
\"properties\": {\
\"email\": {\
\"type\": \"keyword\"\
}\
}\
}"

### curlconverter/range
#: origin curlconverter test/fixtures/curl_commands/range.sh
curl 'http://localhost:28139' --range 600

### curlconverter/read_stdin
#: origin curlconverter test/fixtures/curl_commands/read_stdin.sh
#: reported @- reads stdin (the terminal)
curl --data @- localhost:28139

### curlconverter/repeated_query_key
#: origin curlconverter test/fixtures/curl_commands/repeated_query_key.sh
curl "localhost:28139?key=one&key=two"

### curlconverter/strange_http_method
#: origin curlconverter test/fixtures/curl_commands/strange_http_method.sh
#: reported curl sends the method as written ('wHat')
#: differs method
curl -X wHat localhost:28139

### curlconverter/upload_file
#: origin curlconverter test/fixtures/curl_commands/upload_file.sh
#: file file.txt hello\n
#: reported -T sends the file without a Content-Type
#: differs header Content-Type
# https://github.com/curlconverter/curlconverter/issues/55
curl http://localhost:28139 --upload-file file.txt

### curlconverter/url_query
#: origin curlconverter test/fixtures/curl_commands/url_query.sh
curl --url-query 'foo=bar' --url-query 'baz=qux' 'http://localhost:28139' 'http://localhost:28139/?prmsare=perurl&secondparam=yesplease' 'http://localhost:28139?trailingamper=shouldwork&' 'http://localhost:28139?noequalshouldnt'

### curlconverter/form_quotes-luci
#: origin curlconverter test/fixtures/curl_commands/form_quotes.sh (its second command)
curl --location --request POST 'http://localhost:28139/cgi-bin/luci/admin/network/network/wan' \
  --form 'token="9d96aaaaaaaaaaaaaaaaaaaaaaaa3541"' \
  --form 'cbi.submit="1"' \
  --form 'tab.network.wan="general"' \
  --form 'cbid.network.wan._fwzone="wan"' \
  --form 'cbid.network.wan._fwzone.newzone=""' \
  --form 'cbi.cbe.network.wan.ifname_single="1"' \
  --form 'cbid.network.wan.ifname_single="eth0.2"' \
  --form 'cbid.network.wan.proto="pppoe"' \
  --form 'cbid.network.wan.ac=""' \
  --form 'cbid.network.wan.service=""' \
  --form 'cbi.cbe.network.wan.auto="1"' \
  --form 'cbid.network.wan.auto="1"' \
  --form 'cbi.cbe.network.wan.delegate="1"' \
  --form 'cbid.network.wan.delegate="1"' \
  --form 'cbi.cbe.network.wan.force_link="1"' \
  --form 'cbid.network.wan.ipv6="auto"' \
  --form 'cbi.cbe.network.wan.defaultroute="1"' \
  --form 'cbid.network.wan.defaultroute="1"' \
  --form 'cbid.network.wan.metric="0"' \
  --form 'cbi.cbe.network.wan.peerdns="1"' \
  --form 'cbid.network.wan.peerdns="1"' \
  --form 'cbid.network.wan._keepalive_failure=""' \
  --form 'cbid.network.wan._keepalive_interval=""' \
  --form 'cbid.network.wan.demand=""' \
  --form 'cbid.network.wan.mtu=""' \
  --form 'cbi.apply="保存&应用"'

### curlconverter/form_quotes-typed-file
#: origin curlconverter test/fixtures/curl_commands/form_quotes.sh (its last command, the file made local)
#: file test.mp3 ID3\x03\x00\x00\x00
curl 'http://localhost:28139' --form 'file=@test.mp3;type=audio/mpeg'

### curlconverter/form_quotes-typed-text
#: origin curlconverter test/fixtures/curl_commands/form_quotes.sh (its first command without its multipart/related header)
#: file NewDoc.pdf %PDF-1.4\n%%EOF\n
curl -v -X POST http://localhost:28139/v1/customer/disputes/PP-D-21692/provide-evidence -H "Authorization: Bearer A21AAGOs8Yauykf6g-avc0v7kdQVJipuyE2NuRdbA7VbOxRDSQLMBUs3HTYbe3mxkZng5VhLuQUhDplE6ZSxjWSSRhAwgDwzg" -F 'input={"evidences": [{  "evidence_type": "PROOF_OF_FULFILLMENT",  "evidence_info": {  "tracking_info": [    {    "carrier_name": "OTHER",    "tracking_number": "122533485"    }  ]  },  "notes": "Test"}  ]};type=application/json' -F 'file1=@NewDoc.pdf'

### curlconverter/get_cert_cacert
#: origin curlconverter test/fixtures/curl_commands/get_cert_cacert.sh
#: reported the curl option --cert
#: reported the curl option --cacert
curl --cert /path/to/the/cert --cacert /path/to/ca-bundle.crt http://localhost:28139/

### curlconverter/get_cert_key_capath
#: origin curlconverter test/fixtures/curl_commands/get_cert_key_capath.sh (https made http: the recording server speaks plain HTTP)
#: reported the curl option --key
#: reported the curl option --capath
curl --cert /path/to/cert --key /path/to/key --capath /path/to/ca http://localhost:28139

### curlconverter/get_proxy
#: origin curlconverter test/fixtures/curl_commands/get_proxy.sh (the proxy made the recording server)
#: reported the curl option --proxy
#: differs target
#: differs header Proxy-Connection
# curl asks the proxy for the absolute URL (with Proxy-Connection); the import reports the
# proxy and sends straight to the server, so the target is the path there.
curl 'http://localhost:28139' -x 'http://localhost:28139'

### curlconverter/get_proxy_with_auth
#: origin curlconverter test/fixtures/curl_commands/get_proxy_with_auth.sh (the proxy made the recording server)
#: reported the curl option --proxy-user
#: differs target
#: differs header Proxy-Connection
#: differs header Proxy-Authorization
curl 'http://localhost:28139' --proxy 'http://localhost:28139' -U 'anonymous:anonymous'

### curlconverter/get_url_starting_with_http
#: origin curlconverter test/fixtures/curl_commands/get_url_starting_with_http.sh (the host httpbin.org made the test server)
curl localhost:28139/test

### curlconverter/get_user_agent_alias
#: origin curlconverter test/fixtures/curl_commands/get_user_agent_alias.sh
curl --trace-ascii log2.txt --user-agent "Mozilla Android6.1" -i --header "x-msisdn:XXXXXXXXXXXXX" -L "http://localhost:28139/vc/moviesmagic?p=5&pub=testmovie&tkn=817263812"

### curlconverter/read_cookies_and_mixed_auth
#: origin curlconverter test/fixtures/curl_commands/read_cookies_and_mixed_auth.sh
#: reported names a cookie file
#: reported curl lets the server's challenge choose
# --digest with --oauth2-bearer: curl sends no credentials until a challenge picks one; the
# import keeps the digest auth, which waits for the challenge too.
curl 'http://localhost:28139' -b cookies.txt --oauth2-bearer AAAAAAAAAAAA --user user:pass --no-basic --digest

### curlconverter/redirect_command_data
#: origin curlconverter test/fixtures/curl_commands/redirect_command_data.sh
#: file myfile.jg a=1\nb=2\n
#: reported the command substitution `echo myfile.jg`
#: reported cannot be joined with other data
#: differs body
# curl joins -d foo and the file's text with '&'; a body is text or a file, not both, so the
# import keeps the text and reports the file.
curl localhost:28139 --data-binary foo --data @- < `echo myfile.jg`

### curlconverter/redirect_command_url_query
#: origin curlconverter test/fixtures/curl_commands/redirect_command_url_query.sh
#: file image.jpg \xff\xd8\xff\xe0 JFIF
#: reported the command substitution `echo image.jpg`
#: reported --url-query '@-' encodes the content of a file
#: differs target
curl localhost:28139 --url-query @- < `echo image.jpg`

### curlconverter/redirect_variable_and_string_data
#: origin curlconverter test/fixtures/curl_commands/redirect_variable_and_string_data.sh
#: env FILENAME=-middle-
#: file start-middle-end x=1\n
#: reported the shell variable FILENAME
#: reported cannot be joined with other data
#: differs body
curl localhost:28139 --data-binary foo --data @- < $'start'$FILENAME$"end"

### curlconverter/redirect_variable_data
#: origin curlconverter test/fixtures/curl_commands/redirect_variable_data.sh
#: env FILENAME=data.txt
#: file data.txt x=1\n
#: reported the shell variable FILENAME
#: reported cannot be joined with other data
#: differs body
curl localhost:28139 --data-binary foo --data @- < $FILENAME

### curlconverter/url_query_reads_file
#: origin curlconverter test/fixtures/curl_commands/url_query_reads_file.sh
#: file myfile.jpg a b&c
#: reported --url-query 'name@myfile.jpg' encodes the content of a file
#: differs target
curl --url-query 'name@myfile.jpg' 'http://localhost:28139' 'http://localhost:28139/?prmsare=perurl&secondparam=yesplease' 'http://localhost:28139?trailingamper=shouldwork&' 'http://localhost:28139?noequalshouldnt'
