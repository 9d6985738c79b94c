<?php
// The seeding "controller" of opensns_seed.php: each step as the engine's own code does it.
namespace Home\Controller;

use Think\Controller;

class FcseedController extends Controller
{
    private function fail($what)
    {
        fwrite(STDERR, "seed: $what\n");
        exit(1);
    }

    /** Log in as $uid as the login action does once the password is checked (Member::login). */
    private function loginAs($uid)
    {
        D('UserRole')->where(array('uid' => $uid))->setField('step', 'finish');  // (registration steps done)
        if (!D('Common/Member')->login($uid, false, 1)) {
            $this->fail("login $uid: " . D('Common/Member')->getError());
        }
        if (is_login() != $uid) {
            $this->fail("login $uid: is_login() = " . var_export(is_login(), true));
        }
    }

    public function run()
    {
        $spec = $GLOBALS['FC_SPEC'];
        // The Forum module, as the admin's module list installs it (Admin/Module/install).
        $modules = D('Common/Module');
        $forum = $modules->getModule('Forum');
        if (!$forum['is_setup']) {
            if (!$modules->install($forum['id'])) {
                $this->fail('Forum module: ' . $modules->getError());
            }
            // (the install form's "add to the navigation" box, as Admin/Module/install does when it is ticked)
            M('Channel')->add(array('title' => $forum['alias'], 'url' => $forum['entry'], 'sort' => 100, 'status' => 1,
                                    'icon' => $forum['icon']));
            S('common_nav', null);
        }
        // Users, as the register action does once its form checks have passed (Ucenter/Member/register).
        $uids = array();
        foreach ($spec['users'] as $u) {
            if ($u['login'] === 'admin') {
                $uids[$u['name']] = 1;  // (the installer's founder)
                continue;
            }
            $ucenter = UCenterMember();
            $uid = $ucenter->register($u['login'], $u['name'], $u['password'], $u['email'], '', 2);
            if ($uid <= 0) {
                $this->fail("register {$u['login']}: $uid");
            }
            $ucenter->initRoleUser(1, $uid);
            $uids[$u['name']] = $uid;
        }
        // Boards, as the admin's board form does (Forum/Forum/editForum): the module's first board renamed,
        // the others added.
        $boards = array();
        foreach ($spec['boards'] as $n => $title) {
            $model = M('Forum');
            if ($n == 0) {
                $model->where(array('id' => 1))->save(array('title' => $title, 'sort' => 1));
                $boards[] = 1;
            } else {
                $data = $model->create(array('title' => $title, 'create_time' => time(), 'status' => 1,
                                             'allow_user_group' => '1', 'logo' => 0, 'admin' => 1, 'type_id' => 1,
                                             'description' => $title, 'sort' => $n + 1));
                $boards[] = $model->add($data);
            }
        }
        // Topics and replies, as the forum's post and reply actions do (Forum/Index/doEdit, doReply).
        $made = array();
        foreach ($spec['threads'] as $n => $thread) {
            $ids = array();
            foreach ($thread['posts'] as $i => $post) {
                $this->loginAs($uids[$post['author']]);
                $content = filter_content($post['html']);
                if ($i == 0) {
                    $data = array('uid' => is_login(), 'title' => text($thread['title']), 'content' => $content, 'parse' => 0,
                                  'forum_id' => $boards[$thread['board']]);
                    $model = D('Forum/ForumPost');
                    $id = $model->createPost($data);
                } else {
                    $model = D('Forum/ForumPostReply');
                    $id = $model->addReply($ids[0], $content);
                }
                if (!$id) {
                    $this->fail("thread $n post $i: " . $model->getError());
                }
                $ids[] = (int)$id;
            }
            $made[] = $ids;
        }
        echo "\n", json_encode(array('posts' => $made)), "\n";  // (after what the framework printed)
    }
}
