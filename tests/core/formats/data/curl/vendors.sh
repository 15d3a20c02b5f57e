# API documentation examples. seed/*: the five vendor pages of /work/shared/seeds (only 002 has a
# curl example; the others' HTTP examples are written as the curl commands they describe).
# docs/*: examples as vendors' public API references print them. Every host is made the test
# server (http://localhost:28139) and every placeholder a value. See README.md.

### seed/priceedge-apikey
#: origin seed 002 (PriceEdge "First request - GET item metadata ApiKey", cURL Example)
curl 'http://localhost:28139/papi/api/tables/item' \
--header 'Authorization: ApiKey pricing@example.com:MYPASSWORD123' \
--header 'Content-Type: application/json'

### seed/priceedge-token-password
#: origin seed 002 (PriceEdge "Obtain Bearer token" HTTP example as curl, body as printed)
curl -X POST 'http://localhost:28139/papi/token' \
  -H 'Content-Type: application/x-www-form-urlencoded' \
  -d 'grant_type=password&username=pricing@example.com&password=MYPASSWORD123& client_id=pricing-app'

### seed/priceedge-token-refresh
#: origin seed 002 (PriceEdge refresh-token HTTP example as curl, its line breaks kept)
curl -X POST 'http://localhost:28139/papi/token' \
  -H 'Content-Type: application/x-www-form-urlencoded' \
  --data-binary $'grant_type=refresh_token&\nrefresh_token=5a8a3c59c0844cda947e71b3d613d526& \nclient_id=pricing-app'

### seed/priceedge-bearer
#: origin seed 002 (PriceEdge "GET item metadata Bearer Token" HTTP example as curl)
#: env TOKEN=eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.e30.Ps8NuXgMvPP3nXdz0usLVEvmiZMbp84x
curl 'http://localhost:28139/papi/api/tables/item' \
  -H 'Content-Type: application/json' \
  -H "Authorization: Bearer $TOKEN" \
  -H 'client_id: pricing-app'

### seed/pce-bearer
#: origin seed 000 (PCE "Every request must include Authorization: Bearer <token>", as curl)
curl -sS http://localhost:28139/v1/accounts -H 'Authorization: Bearer pm_live_7f3c2a9e4b1d' -H 'Accept: application/json'

### seed/procode-subscription-key
#: origin seed 001 (Procode, Azure API Management portal: the subscription key goes in a header)
curl -v -X GET "http://localhost:28139/premises/v1/premises?postcode=SW1A%201AA" -H "Cache-Control: no-cache" -H "Ocp-Apim-Subscription-Key: 0123456789abcdef0123456789abcdef"

### docs/github-list-issues
#: origin GitHub REST API docs (List repository issues, curl tab)
#: env YOUR_TOKEN=ghp_16C7e42F292c6912E7710c838347Ae178B4a
curl -L \
  -H "Accept: application/vnd.github+json" \
  -H "Authorization: Bearer $YOUR_TOKEN" \
  -H "X-GitHub-Api-Version: 2022-11-28" \
  "http://localhost:28139/repos/OWNER/REPO/issues?state=open&per_page=50"

### docs/github-create-issue
#: origin GitHub REST API docs (Create an issue, curl tab)
curl -L \
  -X POST \
  -H "Accept: application/vnd.github+json" \
  -H "Authorization: Bearer <YOUR-TOKEN>" \
  -H "X-GitHub-Api-Version: 2022-11-28" \
  http://localhost:28139/repos/OWNER/REPO/issues \
  -d '{"title":"Found a bug","body":"I'\''m having a problem with this.","assignees":["octocat"],"milestone":1,"labels":["bug"]}'

### docs/stripe-create-customer
#: origin Stripe API reference (Create a customer, curl)
curl http://localhost:28139/v1/customers \
  -u "sk_test_4eC39HqLyjWDarjtT1zdp7dc:" \
  -d name="Jenny Rosen" \
  --data-urlencode email="jennyrosen@example.com" \
  -d "metadata[order_id]"=6735

### docs/twilio-send-sms
#: origin Twilio Messaging docs (Send an SMS with curl)
#: env TWILIO_ACCOUNT_SID=AC00000000000000000000000000000000
#: env TWILIO_AUTH_TOKEN=your_auth_token_0123456789abcdef
curl -X POST "http://localhost:28139/2010-04-01/Accounts/$TWILIO_ACCOUNT_SID/Messages.json" \
--data-urlencode "Body=Hi there, it's 5 o'clock & time for tea" \
--data-urlencode "From=+15557771212" \
--data-urlencode "To=+15558675310" \
-u $TWILIO_ACCOUNT_SID:$TWILIO_AUTH_TOKEN

### docs/openai-chat
#: origin OpenAI API reference (Create chat completion, curl)
#: env OPENAI_API_KEY=sk-proj-0123456789abcdefghijklmnopqrstuv
curl http://localhost:28139/v1/chat/completions \
  -H "Content-Type: application/json" \
  -H "Authorization: Bearer $OPENAI_API_KEY" \
  -d '{
    "model": "gpt-4o",
    "messages": [
      {"role": "user", "content": "Say this is a test!"}
    ]
  }'

### docs/mailgun-send
#: origin Mailgun API docs (Send a message, curl)
#: env YOUR_API_KEY=key-0123456789abcdef
curl -s --user "api:$YOUR_API_KEY" \
    http://localhost:28139/v3/sandbox123.mailgun.org/messages \
    -F from='Excited User <mailgun@sandbox123.mailgun.org>' \
    -F to=YOU@example.com \
    -F to=bar@example.com \
    -F subject='Hello' \
    -F text='Testing some Mailgun awesomeness!'

### docs/mailgun-attachment
#: origin Mailgun API docs (Send a message with an attachment, curl)
#: file files/test.jpg \xff\xd8\xff\xe0\x00\x10JFIF\x00
#: file files/test.txt attached text\n
curl -s --user 'api:key-0123456789abcdef' \
    http://localhost:28139/v3/sandbox123.mailgun.org/messages \
    -F from='Excited User <mailgun@sandbox123.mailgun.org>' \
    -F to='foo@example.com' \
    -F subject='Hello' \
    -F text='Testing some Mailgun awesomeness!' \
    --form-string html='<html>HTML version of the body</html>' \
    -F attachment=@files/test.jpg \
    -F attachment=@files/test.txt

### docs/elasticsearch-index
#: origin Elasticsearch reference (Index API, "Console" example as curl: -d glued to its value)
curl -X PUT "localhost:28139/my-index-000001/_doc/1?pretty" -H 'Content-Type: application/json' -d'
{
  "@timestamp": "2099-11-15T13:12:00",
  "message": "GET /search HTTP/1.1 200 1070000",
  "user": {
    "id": "kimchy"
  }
}
'

### docs/slack-webhook
#: origin Slack API docs (Sending messages using incoming webhooks)
curl -X POST -H 'Content-type: application/json' --data '{"text":"Hello, World!"}' http://localhost:28139/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX

### docs/sendgrid-mail-send
#: origin SendGrid v3 API docs (Mail Send, curl: --request, --url, --header, --data)
#: env SENDGRID_API_KEY=SG.0123456789abcdef.ghijklmnopqrstuvwxyz
curl --request POST \
--url http://localhost:28139/v3/mail/send \
--header "Authorization: Bearer $SENDGRID_API_KEY" \
--header 'Content-Type: application/json' \
--data '{"personalizations": [{"to": [{"email": "test@example.com"}]}],"from": {"email": "test@example.com"},"subject": "Sending with SendGrid is Fun","content": [{"type": "text/plain", "value": "and easy to do anywhere, even with cURL"}]}'

### docs/curl-json-option
#: origin curl's own manual (--json: "curl --json '{ "drink": "coffe" }' https://example.com")
curl --json '{ "drink": "coffe" }' http://localhost:28139/order

### docs/curl-data-urlencode-forms
#: origin curl's own manual (--data-urlencode: content, =content, name=content)
curl --data-urlencode "name=I am Daniel" --data-urlencode "=a b&c" --data-urlencode "plain text" -G http://localhost:28139/form

### docs/curl-url-query
#: origin curl's own manual (--url-query: name=content, +raw)
curl --url-query "name=Daniel Stenberg" --url-query "+path=a%20b" http://localhost:28139/query?start=1

### docs/curl-head-follow
#: origin curl's own manual (-I, -L, --max-redirs)
curl -I -L --max-redirs 3 http://localhost:28139/moved

### docs/curl-range-referer
#: origin curl's own manual (-r, -e, -A)
curl -r 0-499 -e http://localhost:28139/start.html -A "Mozilla/4.0" http://localhost:28139/big.bin

### docs/curl-cookie-strings
#: origin curl's own manual (-b "name=data", repeated)
curl -b "name=Daniel" -b "lang=en; theme=dark" http://localhost:28139/cookies

### docs/curl-upload-stdin-file
#: origin curl's own manual (-T - reads stdin; here a file given to it with <)
#: file notes.txt first\nsecond\n
#: reported -T sends the file without a Content-Type
#: differs header Content-Type
curl -T - http://localhost:28139/upload/notes.txt < notes.txt

### docs/curl-url-credentials
#: origin curl's own manual (user:password in the URL)
curl http://daniel:secr%40t@localhost:28139/private/
