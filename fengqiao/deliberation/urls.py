from django.urls import path

from . import views

urlpatterns = [
    path("deliberation/topics/", views.topic_list, name="topics"),
]
