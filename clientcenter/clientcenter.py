"""The Reflex app: pages and the HTTP routes (the theme is set in rxconfig.py)."""

import reflex as rx

from clientcenter.http import build_http_app
from clientcenter import paths
from clientcenter.pages.portal.account_pages import profile, switch_accounts
from clientcenter.pages.portal.billing import billing_page, pay_link_page
from clientcenter.pages.portal.documents import documents_page
from clientcenter.pages.portal.embed import embed_login
from clientcenter.pages.portal.home import home, policies_list
from clientcenter.pages.portal.landing import landing
from clientcenter.pages.portal.policy import policy_page
from clientcenter.settings import get_settings
from clientcenter.state.portal.account import AccountState
from clientcenter.state.base import handle_backend_exception
from clientcenter.state.portal.billing import BillingState
from clientcenter.state.portal.documents import DocumentsState
from clientcenter.state.portal.home import HomeState
from clientcenter.state.portal.login import LoginState
from clientcenter.state.portal.pay_link import PayLinkState
from clientcenter.state.portal.policy import PolicyState

_settings = get_settings()

app = rx.App(
    api_transformer=build_http_app(),
    # A handler whose session has ended sends its tab to the login page (state/base.py).
    backend_exception_handler=handle_backend_exception,
    head_components=[rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml")],
)
if _settings.delivery.relay_in_app:
    from clientcenter.delivery.background import relay_lifespan

    app.register_lifespan_task(relay_lifespan)
_title = f"{_settings.branding.agency_name} · Client Center"
app.add_page(landing, route=paths.CUSTOMER_LOGIN, title=_title, on_load=LoginState.open_page)
app.add_page(embed_login, route=paths.EMBED_LOGIN, title=_title, on_load=LoginState.open_page)
# Behind login: the guard leaves at once if the session has ended; each loader re-checks too.
app.add_page(profile, route=paths.PROFILE, title=f"Profile · {_title}",
             on_load=[AccountState.require_login, AccountState.load])
app.add_page(switch_accounts, route=paths.ACCOUNT_CHOICE, title=f"Switch accounts · {_title}",
             on_load=[AccountState.require_login, AccountState.load])

# Customer self-service, part B: requests, certificates, proposals, referral, feedback, survey.
from clientcenter.pages.portal import selfservice_routes  # noqa: E402

selfservice_routes.register(app)

# Billing and payment-request links.
app.add_page(billing_page, route="/billing",
             on_load=[BillingState.require_login, BillingState.load],
             title=f"Billing · {_settings.branding.short_name}")
app.add_page(pay_link_page, route="/pay/[pay_token]", on_load=PayLinkState.open_link,
             title=f"Pay an invoice · {_settings.branding.short_name}")

# Customer self-service: home and policies, documents and ID cards.
app.add_page(home, route=paths.CUSTOMER_HOME, title=f"Home · {_title}",
             on_load=[HomeState.require_login, HomeState.load])
app.add_page(policies_list, route="/policies", title=f"Policies · {_title}",
             on_load=[HomeState.require_login, HomeState.load])
app.add_page(policy_page, route="/policies/[policy_id]", title=f"Policy · {_title}",
             on_load=[PolicyState.require_login, PolicyState.load])
app.add_page(documents_page, route="/documents", title=f"Documents · {_title}",
             on_load=[DocumentsState.require_login, DocumentsState.load])

# Agent side: sign-in, Super Search, info pane, agency actions, work queues, shared links.
from clientcenter.pages.agency import routes as agent_routes  # noqa: E402

agent_routes.register(app)
