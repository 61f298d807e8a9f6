from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

urlpatterns = [
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("api/v1/", include("fengqiao.cases.api.urls")),
    path("api/v1/", include("fengqiao.org.api.urls")),
    path("api/v1/", include("fengqiao.triage.api.urls")),
    path("api/v1/", include("fengqiao.disputes.api.urls")),
    path("api/v1/", include("fengqiao.analytics.api.urls")),
    path("api/v1/", include("fengqiao.deliberation.api.urls")),
    path("open311/v2/", include("fengqiao.open311.urls")),
    path("", include("fengqiao.cases.urls")),
    path("", include("fengqiao.notifications.urls")),
    path("", include("fengqiao.triage.urls")),
    path("", include("fengqiao.disputes.urls")),
    path("", include("fengqiao.analytics.urls")),
    path("", include("fengqiao.deliberation.urls")),
]
