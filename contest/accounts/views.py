"""Pages for signing up, in and out, the profile, the password and its reset."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from contest.accounts import services
from contest.accounts.forms import (
    ForgotPasswordForm,
    LoginForm,
    PasswordForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
    unit_choices,
)
from contest.core.errors import Invalid, RateLimited, ServiceError, Unauthorized
from contest.core.forms import apply_service_error
from contest.core.mail import send_mail
from contest.extensions import db
from contest.units.services import unit_tree
from contest.web import safe_next

bp = Blueprint("accounts", __name__)


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    tree = unit_tree()
    form = RegisterForm()
    form.unit_id.choices = unit_choices(tree)
    status = 200
    if form.validate_on_submit():
        try:
            user = services.register(form.email.data, form.password.data, form.full_name.data, form.unit_id.data)
        except ServiceError as exc:
            apply_service_error(form, exc)
            status = 422
        else:
            db.session.commit()
            login_user(user)
            flash(_("Welcome, %(name)s! Your account has been created.", name=user.full_name), "success")
            return redirect(url_for("main.home"))
    elif request.method == "POST":
        status = 422
    return render_template("accounts/register.html", form=form, tree=tree), status


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data, request.remote_addr)
        except RateLimited as exc:
            flash(exc.message, "error")
            status = 429
        except Unauthorized as exc:
            db.session.commit()  # keep nothing half-done, but the throttle has counted the failure
            flash(exc.message, "error")
            status = 401
        else:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            flash(_("You are signed in."), "success")
            return redirect(safe_next(request.args.get("next"), url_for("main.home")))
    elif request.method == "POST":
        status = 422
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("main.home"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    tree = unit_tree()
    form = ProfileForm(obj=current_user) if request.method == "GET" else ProfileForm()
    form.unit_id.choices = unit_choices(tree)
    if request.method == "GET":
        form.unit_id.data = str(current_user.unit_id or "")
    status = 200
    if form.validate_on_submit():
        try:
            services.update_profile(current_user, form.full_name.data, form.unit_id.data, form.date_of_birth.data)
        except ServiceError as exc:
            db.session.rollback()
            apply_service_error(form, exc)
            status = 422
        else:
            db.session.commit()
            flash(_("Your profile has been saved."), "success")
            return redirect(url_for("accounts.profile"))
    elif request.method == "POST":
        status = 422
    return render_template("accounts/profile.html", form=form, tree=tree), status


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.new_password.data)
        except ServiceError as exc:
            db.session.rollback()
            apply_service_error(form, exc)
            status = 422
        else:
            db.session.commit()
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("accounts.profile"))
    elif request.method == "POST":
        status = 422
    return render_template("accounts/password.html", form=form), status


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = services.find_user_by_email(form.email.data)
        if user is not None and user.active:
            token = services.make_reset_token(user)
            link = url_for("accounts.reset_password", token=token, _external=True)
            minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
            send_mail(
                user.email,
                _("Reset your password"),
                _("Hello %(name)s,\n\nOpen this link to choose a new password (valid for %(minutes)d minutes):\n"
                  "%(link)s\n\nIf you did not ask for this, ignore this message.", name=user.full_name,
                  minutes=minutes, link=link),
            )
        # The same answer whether or not the account exists, so the page cannot be used to probe for emails.
        flash(_("If an account exists for that email, we have sent a link to reset its password."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot.html", form=form), 422 if request.method == "POST" else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        services.user_for_reset_token(token)
    except Invalid as exc:
        flash(exc.message, "error")
        return redirect(url_for("accounts.forgot_password"))
    form = ResetPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except ServiceError as exc:
            db.session.rollback()
            apply_service_error(form, exc)
            status = 422
        else:
            db.session.commit()
            logout_user()
            flash(_("Your password has been changed. Please sign in with the new one."), "success")
            return redirect(url_for("accounts.login"))
    elif request.method == "POST":
        status = 422
    return render_template("accounts/reset.html", form=form), status
