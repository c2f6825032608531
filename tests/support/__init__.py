"""What the tests share, one module a concern:

demo               the demo agency's names and emails, its rows, and principals for its people
factories          a few people without the demo agency
logins             live sessions by ``create_session``, and the login-code flow's steps
handlers           a page state as a browser tab holds it, and its handlers run to completion
handler_arguments  arguments for every handler, from one account's real ids
checks             what a call left behind, and ``refused()``: a refusal left nothing
settings           CC_ settings for one test
files              sample uploads and the text of a served PDF
payments           the payment tests' fixtures; stripe_recorder stands in for Stripe
delivery           the delivery tests' fixtures; provider_server stands in for SendGrid and Twilio
asgi               the production ASGI stack; body_limit_server serves it from a real server
browser            what the browser tests do in a page
"""
