"""Page registrations for requests, certificates, proposals, referral, feedback and the claim
survey. Pages of features switched off in settings are not registered at all (the services
refuse them too)."""

from __future__ import annotations

import reflex as rx

from clientcenter.pages.portal import certificates, engagement, proposals, requests
from clientcenter.settings import get_settings
from clientcenter.state.portal.certificates import CertificatesState
from clientcenter.state.portal.engagement import EngagementState
from clientcenter.state.portal.proposals import ProposalsState
from clientcenter.state.portal.requests import RequestsState


def register(app: rx.App) -> None:
    settings = get_settings()
    features = settings.features
    suffix = f" · {settings.branding.short_name} Client Center"

    def page(component, route: str, title: str, state, loader) -> None:
        app.add_page(component, route=route, title=title + suffix,
                     on_load=[state.require_login, loader])

    R = RequestsState
    page(requests.requests_page, "/requests", "Requests", R, R.load_list)
    page(requests.personal_requests_page, "/requests/personal", "Personal change request", R,
         R.load_personal)
    page(requests.commercial_requests_page, "/requests/commercial",
         "Commercial change request", R, R.load_commercial)
    page(requests.general_request_page, "/requests/general", "General request", R,
         R.load_general)
    page(requests.contact_page, "/contact", "Contact us", R, R.load_contact)
    if features.certificates:
        page(certificates.certificates_page, "/certificates", "Certificates",
             CertificatesState, CertificatesState.load)
    if features.proposals:
        page(proposals.proposals_page, "/proposals", "Proposals", ProposalsState,
             ProposalsState.load_list)
        page(proposals.proposal_page, "/proposals/[proposal_id]", "Proposal", ProposalsState,
             ProposalsState.load_one)
    E = EngagementState
    if features.referrals:
        page(engagement.referral_page, "/refer", "Refer a friend", E, E.load)
    if features.feedback:
        page(engagement.feedback_page, "/feedback", "Feedback", E, E.load)
    if features.surveys:
        page(engagement.survey_page, "/claims/[claim_id]/survey", "Claim survey", E,
             E.load_survey)
