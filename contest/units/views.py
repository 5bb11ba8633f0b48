"""Unit pages for administrators: the tree, create, rename, move, delete."""

from flask import Blueprint

bp = Blueprint("units", __name__, url_prefix="/admin/units")
